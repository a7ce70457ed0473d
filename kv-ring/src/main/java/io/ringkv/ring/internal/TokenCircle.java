package io.ringkv.ring.internal;

import io.ringkv.ring.Ring;

/**
 * A mutable working copy of a ring's tokens as a circular doubly-linked list over arrays, so a token can be
 * inserted in O(1) while an allocator explores. Entry ids are stable; entry {@code id} stands both for its
 * token and for the range {@code (previous token, token]} that ends there.
 */
final class TokenCircle {
    private final long[] tokens;
    private final int[] owners;
    private final int[] next;
    private final int[] previous;
    private int size;

    private TokenCircle(int capacity) {
        tokens = new long[capacity];
        owners = new int[capacity];
        next = new int[capacity];
        previous = new int[capacity];
    }

    /** @return a circle holding {@code ring}'s tokens (ids 0..tokenCount-1 in token order), room for more */
    static TokenCircle of(Ring ring, int extraCapacity) {
        int count = ring.tokenCount();
        TokenCircle circle = new TokenCircle(count + extraCapacity);
        for (int i = 0; i < count; i++) {
            circle.tokens[i] = ring.token(i);
            circle.owners[i] = ring.ownerIndex(i);
            circle.next[i] = i + 1 == count ? 0 : i + 1;
            circle.previous[i] = i == 0 ? count - 1 : i - 1;
        }
        circle.size = count;
        return circle;
    }

    /** @return how many tokens the circle can hold */
    int capacity() {
        return tokens.length;
    }

    /** @return the number of tokens; ids run from 0 to size()-1 */
    int size() {
        return size;
    }

    long token(int id) {
        return tokens[id];
    }

    int owner(int id) {
        return owners[id];
    }

    int next(int id) {
        return next[id];
    }

    int previous(int id) {
        return previous[id];
    }

    /** @return the unsigned width of range {@code id}; 0 means the whole ring (a single token) */
    long width(int id) {
        return TokenMath.distance(tokens[previous[id]], tokens[id]);
    }

    /** @return the fraction of the ring in range {@code id} */
    double fraction(int id) {
        return TokenMath.fraction(tokens[previous[id]], tokens[id]);
    }

    /**
     * Splits range {@code id} by a new token inside it.
     *
     * @return the new entry's id; its range is {@code (previous token, token]}
     */
    int insertBefore(int id, long token, int owner) {
        int added = size++;
        owners[added] = owner;
        relink(added, id, token);
        return added;
    }

    /** Takes entry {@code id} out of the circle, merging its range into the next one; its id stays reserved. */
    void unlink(int id) {
        next[previous[id]] = next[id];
        previous[next[id]] = previous[id];
    }

    /** Puts the unlinked entry {@code id} back, with token {@code token}, inside range {@code before}. */
    void relink(int id, int before, long token) {
        int after = previous[before];
        tokens[id] = token;
        previous[id] = after;
        next[id] = before;
        next[after] = id;
        previous[before] = id;
    }
}

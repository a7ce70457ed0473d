package io.ringkv.node.resp;

/**
 * Redis' glob patterns (SCAN's MATCH), over bytes as Redis matches them: {@code *} any run of bytes, {@code ?} one
 * byte, {@code [abc]}, {@code [^abc]} and {@code [a-z]} one byte of (or not of) a set, {@code \x} the byte x itself.
 * Case-sensitive. Matching backtracks to the last {@code *} only, so it takes at most pattern × key steps whatever
 * the pattern (Redis' recursive matcher needs a nesting limit for that).
 */
final class Glob {
    private final byte[] pattern;

    Glob(byte[] pattern) {
        this.pattern = pattern.clone();
    }

    /** @return whether {@code key} matches the whole pattern */
    boolean matches(byte[] key) {
        int p = 0;
        int k = 0;
        int starP = -1;
        int starK = -1;
        while (k < key.length) {
            if (p < pattern.length && pattern[p] == '*') {
                starP = ++p;
                starK = k;
                continue;
            }
            int next = p < pattern.length ? matchOne(p, key[k] & 0xFF) : -1;
            if (next >= 0) {
                p = next;
                k++;
            } else if (starP >= 0) {
                p = starP;
                k = ++starK;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** @return the pattern position after the element at {@code p} when it matches byte {@code c}, else -1 */
    private int matchOne(int p, int c) {
        int b = pattern[p] & 0xFF;
        if (b == '?') {
            return p + 1;
        }
        if (b == '\\' && p + 1 < pattern.length) {
            return (pattern[p + 1] & 0xFF) == c ? p + 2 : -1;
        }
        if (b == '[') {
            return matchClass(p + 1, c);
        }
        return b == c ? p + 1 : -1;
    }

    /** A {@code [...]} set starting after its bracket; an unclosed set ends with the pattern, as in Redis. */
    private int matchClass(int p, int c) {
        boolean negate = p < pattern.length && pattern[p] == '^';
        if (negate) {
            p++;
        }
        boolean found = false;
        while (p < pattern.length && pattern[p] != ']') {
            int b = pattern[p] & 0xFF;
            if (b == '\\' && p + 1 < pattern.length) {
                found |= (pattern[p + 1] & 0xFF) == c;
                p += 2;
            } else if (p + 2 < pattern.length && pattern[p + 1] == '-') {
                int low = b;
                int high = pattern[p + 2] & 0xFF;
                found |= c >= Math.min(low, high) && c <= Math.max(low, high);
                p += 3;
            } else {
                found |= b == c;
                p++;
            }
        }
        int after = p < pattern.length ? p + 1 : p;
        return found != negate ? after : -1;
    }
}

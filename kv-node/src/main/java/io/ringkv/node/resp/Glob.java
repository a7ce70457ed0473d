package io.ringkv.node.resp;

/**
 * Redis' glob patterns (SCAN's MATCH), over bytes as Redis matches them: {@code *} any run of bytes, {@code ?} one
 * byte, {@code [abc]}, {@code [^abc]} and {@code [a-z]} one byte of (or not of) a set, {@code \x} the byte x itself.
 * Case-sensitive. Matching backtracks to the last {@code *} only, so it takes at most pattern × key steps whatever
 * the pattern (Redis' recursive matcher needs a nesting limit for that). Runs of {@code *} are one {@code *}, and
 * SCAN refuses patterns over {@value #MAX_PATTERN_BYTES} bytes, so one key costs at most a few hundred thousand steps
 * on the front door's thread however the pattern is made.
 */
final class Glob {
    /** Longest MATCH pattern SCAN takes: far beyond any real one, small enough to bound a page's matching. */
    static final int MAX_PATTERN_BYTES = 256;

    private final byte[] pattern;

    Glob(byte[] pattern) {
        this.pattern = collapseStars(pattern);
    }

    /** @return {@code pattern} with each run of unescaped {@code *} made one */
    private static byte[] collapseStars(byte[] pattern) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(pattern.length);
        for (int i = 0; i < pattern.length; i++) {
            byte b = pattern[i];
            if (b == '\\' && i + 1 < pattern.length) {
                out.write(b);
                out.write(pattern[++i]);
            } else if (b != '*' || i == 0 || pattern[i - 1] != '*' || escaped(pattern, i - 1)) {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** @return whether the byte at {@code i} is escaped by a backslash before it (itself not escaped) */
    private static boolean escaped(byte[] pattern, int i) {
        int backslashes = 0;
        for (int j = i - 1; j >= 0 && pattern[j] == '\\'; j--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
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

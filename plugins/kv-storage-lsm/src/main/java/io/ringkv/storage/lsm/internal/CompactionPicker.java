package io.ringkv.storage.lsm.internal;

/**
 * Size-tiered choice of what to compact, over adjacent tables only. Tables are listed newest first; a tier is a
 * run of adjacent tables whose sizes lie within half to one and a half times the run's average (Cassandra's
 * size-tiered buckets). The first run, from the newest end, that holds at least the minimum count is chosen,
 * capped at the maximum. Keeping runs adjacent keeps every table's sequence range disjoint from the others', so
 * reads can stop at the newest table that holds a key.
 */
final class CompactionPicker {
    private CompactionPicker() {
    }

    /**
     * @param sizes table sizes, newest first
     * @return {from, to} (to exclusive) of the run to compact, or null when no tier is full
     */
    static int[] pick(long[] sizes, int minTables, int maxTables) {
        return pick(sizes, new boolean[sizes.length], minTables, maxTables);
    }

    /**
     * As {@link #pick(long[], int, int)}, with no run holding a table {@code excluded} marks (one found corrupt, or
     * whose reads keep failing: a compaction of it fails at every attempt, so the tables around it would never be
     * compacted again).
     */
    static int[] pick(long[] sizes, boolean[] excluded, int minTables, int maxTables) {
        for (int from = 0; from + minTables <= sizes.length; from++) {
            if (excluded[from]) {
                continue;
            }
            long sum = sizes[from];
            int to = from + 1;
            while (to < sizes.length && to - from < maxTables && !excluded[to]
                && similar(sizes[to], sum / (to - from))) {
                sum += sizes[to];
                to++;
            }
            if (to - from >= minTables) {
                return new int[] {from, to};
            }
        }
        return null;
    }

    private static boolean similar(long size, long average) {
        return size * 2 >= average && size * 2 <= average * 3;
    }
}

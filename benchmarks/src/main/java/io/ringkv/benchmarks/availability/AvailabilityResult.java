package io.ringkv.benchmarks.availability;

import io.ringkv.benchmarks.availability.WriteRule.Outcome;

/**
 * What a run counted: every write judged once with sloppy quorum off and once with it on, against the same
 * failure history. Mutable while a run counts; read after.
 */
public final class AvailabilityResult {
    private final long[] strict = new long[Outcome.values().length];
    private final long[] sloppy = new long[Outcome.values().length];
    private long hinted;

    void count(Outcome strictOutcome, Outcome sloppyOutcome, boolean sloppyUsedSubstitute) {
        strict[strictOutcome.ordinal()]++;
        sloppy[sloppyOutcome.ordinal()]++;
        if (sloppyOutcome == Outcome.SUCCESS && sloppyUsedSubstitute) {
            hinted++;
        }
    }

    /** @return writes judged */
    public long writes() {
        long total = 0;
        for (long count : strict) {
            total += count;
        }
        return total;
    }

    /** @return writes that ended with {@code outcome} with sloppy quorum off ({@code false}) or on */
    public long count(boolean sloppyQuorum, Outcome outcome) {
        return (sloppyQuorum ? sloppy : strict)[outcome.ordinal()];
    }

    /** @return writes that failed with sloppy quorum off or on */
    public long failures(boolean sloppyQuorum) {
        return writes() - count(sloppyQuorum, Outcome.SUCCESS);
    }

    /** @return the fraction of writes that succeeded with sloppy quorum off or on (1 when there were none) */
    public double successFraction(boolean sloppyQuorum) {
        long writes = writes();
        return writes == 0 ? 1 : (double) count(sloppyQuorum, Outcome.SUCCESS) / writes;
    }

    /** @return writes that succeeded with sloppy quorum on and had at least one substitute keep a hint */
    public long hinted() {
        return hinted;
    }
}

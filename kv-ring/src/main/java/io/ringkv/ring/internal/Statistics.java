package io.ringkv.ring.internal;

/** Summary statistics over per-node values. */
public final class Statistics {
    private Statistics() {
    }

    /** @return the population standard deviation divided by the mean; 0 for fewer than two values */
    public static double coefficientOfVariation(double[] values) {
        if (values.length < 2) {
            return 0;
        }
        double mean = mean(values);
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / values.length) / mean;
    }

    /** @return the largest value divided by the mean; 1 when all are equal */
    public static double maxOverMean(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double value : values) {
            max = Math.max(max, value);
        }
        return max / mean(values);
    }

    /** @return the arithmetic mean */
    public static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }
}

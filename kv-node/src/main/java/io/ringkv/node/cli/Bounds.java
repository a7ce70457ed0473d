package io.ringkv.node.cli;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Range and choice checks of option values, each refusal naming the option and what it accepts. */
final class Bounds {
    private Bounds() {
    }

    /**
     * @return {@code value}
     * @throws UsageException when it is outside [min, max]
     */
    static int check(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new UsageException(option + " must be from " + min + " to " + max + ", was " + value);
        }
        return value;
    }

    /**
     * @return {@code values}
     * @throws UsageException when one is outside [min, max]
     */
    static List<Integer> check(String option, List<Integer> values, int min, int max) {
        values.forEach(value -> check(option, value, min, max));
        return values;
    }

    /**
     * @return {@code value}
     * @throws UsageException when it is not a finite number
     */
    static double finite(String option, double value) {
        if (!Double.isFinite(value)) {
            throw new UsageException(option + " must be a number, was " + value);
        }
        return value;
    }

    /**
     * @return {@code text} as a whole number
     * @throws UsageException when it is not one
     */
    static int integer(String option, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes whole numbers, was '" + text + "'");
        }
    }

    /**
     * @return {@code values}
     * @throws UsageException when one is not in {@code allowed}
     */
    static List<String> oneOf(String option, List<String> values, Set<String> allowed) {
        for (String value : values) {
            if (!allowed.contains(value)) {
                throw new UsageException(option + " must be one of " + String.join(", ", new TreeSet<>(allowed))
                    + ", was '" + value + "'");
            }
        }
        return values;
    }
}

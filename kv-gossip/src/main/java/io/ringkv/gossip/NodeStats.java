package io.ringkv.gossip;

import java.util.Locale;

/**
 * What a node tells the others about its recent work, for the dashboard every node serves: its client request rate
 * and 99th-percentile latency over the last window, the hints it holds for other nodes, and its repair pass's
 * progress. Gossiped as application state {@value #STATE}, e.g.
 * {@code rps=125.5,p99us=2500,hints=0,repair=3/40,repairing=1}; an unknown key (a later version's) is ignored, a
 * malformed value makes the whole announcement unreadable ({@link #decode} returns null), never an exception.
 *
 * @param requestsPerSecond client requests answered per second over the window, 0 or more
 * @param p99Micros the upper bound, in microseconds, of the latency bucket holding the window's 99th percentile;
 *     {@link #NO_REQUESTS} when the window saw none, {@link #OVER_RANGE} beyond the largest bucket
 * @param hintsPending hints this node holds for other nodes
 * @param repairDone sessions of the current (or last) repair pass that ended
 * @param repairTotal sessions of the current (or last) repair pass
 * @param repairing whether a repair pass runs now
 */
public record NodeStats(double requestsPerSecond, long p99Micros, long hintsPending, long repairDone,
                        long repairTotal, boolean repairing) {
    /** The application state that carries a node's stats. */
    public static final String STATE = "stats";
    /** {@link #p99Micros} of a window without requests. */
    public static final long NO_REQUESTS = -1;
    /** {@link #p99Micros} when the 99th percentile lies beyond the largest bucket. */
    public static final long OVER_RANGE = Long.MAX_VALUE;
    /** Longest announcement read: gossip carries application values of at most 255 characters. */
    private static final int MAX_LENGTH = 255;
    /** Longest value accepted for one field: a long's digits, or a rate with one decimal. */
    private static final int MAX_FIELD = 20;

    /** @throws IllegalArgumentException when a figure is negative (or not a number) */
    public NodeStats {
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond) || hintsPending < 0 || repairDone < 0
            || repairTotal < 0 || p99Micros < NO_REQUESTS) {
            throw new IllegalArgumentException("node stats cannot be negative: rate " + requestsPerSecond + ", p99 "
                + p99Micros + ", hints " + hintsPending + ", repair " + repairDone + "/" + repairTotal);
        }
    }

    /** @return the announcement, the rate to one decimal (so a steady load does not make a new state each time) */
    public String encode() {
        StringBuilder text = new StringBuilder(64)
            .append("rps=").append(String.format(Locale.ROOT, "%.1f", requestsPerSecond));
        if (p99Micros == OVER_RANGE) {
            text.append(",p99us=inf");
        } else if (p99Micros != NO_REQUESTS) {
            text.append(",p99us=").append(p99Micros);
        }
        return text.append(",hints=").append(hintsPending)
            .append(",repair=").append(repairDone).append('/').append(repairTotal)
            .append(",repairing=").append(repairing ? 1 : 0).toString();
    }

    /** @return the stats a node announced, or null when it announced none or something malformed */
    public static NodeStats decode(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return null;
        }
        double rate = -1;
        long p99 = NO_REQUESTS;
        long hints = -1;
        long done = -1;
        long total = -1;
        int repairing = -1;
        for (String part : text.split(",", 16)) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                return null;
            }
            String value = part.substring(equals + 1);
            switch (part.substring(0, equals)) {
                case "rps" -> rate = decimal(value);
                case "p99us" -> p99 = value.equals("inf") ? OVER_RANGE : whole(value);
                case "hints" -> hints = whole(value);
                case "repair" -> {
                    int slash = value.indexOf('/');
                    if (slash < 0) {
                        return null;
                    }
                    done = whole(value.substring(0, slash));
                    total = whole(value.substring(slash + 1));
                }
                case "repairing" -> repairing = value.equals("1") ? 1 : value.equals("0") ? 0 : -1;
                default -> {
                    // a later version's figure: not shown by this one
                }
            }
        }
        if (rate < 0 || p99 < NO_REQUESTS || hints < 0 || done < 0 || total < 0 || repairing < 0) {
            return null;
        }
        return new NodeStats(rate, p99, hints, done, total, repairing == 1);
    }

    /** @return the non-negative whole number {@code digits} spells, or -2 when it spells none */
    private static long whole(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -2;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -2;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** @return the non-negative decimal {@code text} spells ({@code 12} or {@code 12.5}), or -1 */
    private static double decimal(String text) {
        if (text.isEmpty() || text.length() > MAX_FIELD) {
            return -1;
        }
        int dot = text.indexOf('.');
        long whole = whole(dot < 0 ? text : text.substring(0, dot));
        long fraction = dot < 0 ? 0 : whole(text.substring(dot + 1));
        if (whole < 0 || fraction < 0) {
            return -1;
        }
        return dot < 0 ? whole : Double.parseDouble(text);
    }
}

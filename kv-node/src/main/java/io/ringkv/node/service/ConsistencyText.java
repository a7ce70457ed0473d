package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.ConsistencyLevel;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.Locale;

/**
 * A request's consistency as a client writes it, the same for every front door (RESP's {@code CONSISTENCY}
 * command, HTTP's {@code ?consistency=} and {@code ?r=&w=}): {@code ONE}, {@code QUORUM}, {@code ALL} for reads
 * and writes, or {@code R=<n>,W=<n>} (either or both, in any order). N is always the cluster's.
 */
public final class ConsistencyText {
    private ConsistencyText() {
    }

    /**
     * @param text {@code ONE}, {@code QUORUM}, {@code ALL} (any case), or {@code R=<n>,W=<n>}
     * @param current the consistency it changes: its N, and its R or W where {@code text} names only the other
     * @throws KvException with {@code INVALID_CONSISTENCY} naming the accepted forms or the violated range
     */
    public static Consistency parse(String text, Consistency current) {
        String upper = text.trim().toUpperCase(Locale.ROOT);
        if (!upper.contains("=")) {
            for (ConsistencyLevel level : ConsistencyLevel.values()) {
                if (level.name().equals(upper)) {
                    return Consistency.of(current.n(), level, level);
                }
            }
            throw invalid(text, current);
        }
        int reads = current.r();
        int writes = current.w();
        for (String part : upper.split(",", -1)) {
            String[] setting = part.trim().split("=", -1);
            Long number = setting.length == 2 ? parseLong(setting[1].trim()) : null;
            if (number == null || number < 1 || number > Consistency.MAX_REPLICATION_FACTOR
                || !(setting[0].trim().equals("R") || setting[0].trim().equals("W"))) {
                throw invalid(text, current);
            }
            if (setting[0].trim().equals("R")) {
                reads = number.intValue();
            } else {
                writes = number.intValue();
            }
        }
        return current.withReadWrite(reads, writes);
    }

    private static KvException invalid(String text, Consistency current) {
        return new KvException(ErrorCode.INVALID_CONSISTENCY, "CONSISTENCY takes ONE, QUORUM, ALL or R=<n>,W=<n>"
            + " with 1 <= n <= N=" + current.n() + ", was '" + text + "'");
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

package io.ringkv.node;

import io.ringkv.antientropy.RepairScheduler;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.ring.TokenRange;
import java.util.List;
import java.util.Locale;

/**
 * The arguments of {@code REPAIR [RANGE start end] [NODE id]}: the token range (start exclusive, end inclusive, as
 * signed 64-bit tokens) whose overlapping ranges are repaired, and the one replica to repair against.
 *
 * @param range null for every range this node replicates
 * @param node null for every other replica
 */
record RepairArguments(TokenRange range, NodeId node) {
    /**
     * @throws KvException with {@code INVALID_ARGUMENT} naming what is wrong; nothing starts then
     */
    static RepairArguments parse(List<String> arguments) {
        TokenRange range = null;
        NodeId node = null;
        for (int i = 0; i < arguments.size(); i++) {
            String option = arguments.get(i).toUpperCase(Locale.ROOT);
            if (option.equals("RANGE") && range == null && i + 2 < arguments.size()) {
                range = new TokenRange(token(arguments.get(i + 1)), token(arguments.get(i + 2)));
                i += 2;
            } else if (option.equals("NODE") && node == null && i + 1 < arguments.size()
                && NodeId.isValid(arguments.get(i + 1))) {
                node = NodeId.of(arguments.get(i + 1));
                i += 1;
            } else {
                throw new KvException(ErrorCode.INVALID_ARGUMENT, "REPAIR takes [RANGE start end] [NODE id], each at"
                    + " most once, with tokens as signed 64-bit integers; got " + arguments);
            }
        }
        return new RepairArguments(range, node);
    }

    private static long token(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "a token is a signed 64-bit integer, not '" + text
                + "'");
        }
    }

    /** @return the sessions the pass started on {@code scheduler} runs */
    int startOn(RepairScheduler scheduler) {
        return scheduler.start(range, node);
    }
}

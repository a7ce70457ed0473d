package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.ring.TokenRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code REPAIR [RANGE start end] [NODE id]}: what it takes, and clear refusals of anything else. */
class RepairArgumentsTest {
    @Test
    void noArgumentsRepairEverything() {
        RepairArguments parsed = RepairArguments.parse(List.of());
        assertNull(parsed.range());
        assertNull(parsed.node());
    }

    @Test
    void aRangeAndANodeInEitherOrder() {
        RepairArguments parsed = RepairArguments.parse(List.of("node", "n2", "RANGE", "-5", "9223372036854775807"));
        assertEquals(new TokenRange(-5, Long.MAX_VALUE), parsed.range());
        assertEquals(NodeId.of("n2"), parsed.node());
    }

    @Test
    void anythingElseIsRefusedSayingWhat() {
        for (List<String> bad : List.of(List.of("RANGE", "1"), List.of("RANGE", "x", "2"), List.of("NODE"),
            List.of("NODE", "a,b"), List.of("FULL"), List.of("NODE", "a", "NODE", "b"))) {
            KvException refused = assertThrows(KvException.class, () -> RepairArguments.parse(bad), bad.toString());
            assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        }
    }
}

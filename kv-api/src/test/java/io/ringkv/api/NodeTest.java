package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/no", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void malformedNodeIdsAreRejected(String id) {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvException.class, () -> NodeId.of(id)).code());
    }

    @Test
    void portsOutsideTheValidRangeAreRejected() {
        assertThrows(KvException.class, () -> Node.of("n1", "127.0.0.1", 0, 6379));
        assertThrows(KvException.class, () -> Node.of("n1", "127.0.0.1", 7000, 65_536));
    }

    @Test
    void nodesDefaultToOneRackAndCanBePlaced() {
        Node node = Node.of("n1", "127.0.0.1", 7000, 6379);
        assertEquals("zone1/rack1", node.failureDomain());
        assertEquals("az2/r7", node.inRack("az2", "r7").failureDomain());
    }
}

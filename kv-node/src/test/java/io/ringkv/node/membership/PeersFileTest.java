package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.NodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeersFileTest {
    @TempDir
    Path directory;

    private static EndpointState state(String id, NodeStatus status, Map<String, String> application) {
        Node node = new Node(NodeId.of(id), "::1", 7401, 7380, "zone2", "rack-b");
        return EndpointState.of(node, 1_700_000_000L, 42, 40, status, new long[] {-5, 0, Long.MAX_VALUE},
            application, EndpointState.PROTOCOL_VERSION);
    }

    @Test
    void whatIsStoredIsLoadedExactly() {
        Gossiper.Remembered remembered = new Gossiper.Remembered(
            List.of(state("n2", NodeStatus.NORMAL, Map.of("load", "1.50KiB", "note", "a\\b: c=d #e")),
                state("n3", NodeStatus.JOINING, Map.of())),
            List.of(state("gone", NodeStatus.LEFT, Map.of())));
        PeersFile.store(directory, remembered);
        assertEquals(remembered, PeersFile.load(directory));
    }

    @Test
    void noFileIsAFirstStart() {
        assertSame(Gossiper.Remembered.NONE, PeersFile.load(directory));
    }

    @Test
    void aDamagedFileStopsTheStartWithAClearError() throws IOException {
        PeersFile.store(directory, new Gossiper.Remembered(List.of(state("n2", NodeStatus.NORMAL, Map.of())),
            List.of()));
        Path file = directory.resolve(PeersFile.FILE);
        Files.writeString(file, Files.readString(file).replace("member.0.generation=", "member.0.generation=x"));
        KvException damaged = assertThrows(KvException.class, () -> PeersFile.load(directory));
        assertEquals(ErrorCode.STORAGE_FAILURE, damaged.code());
        assertTrue(damaged.getMessage().contains("peers.state") && damaged.getMessage().contains("remove it"),
            damaged.getMessage());
    }
}

package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ringkv cluster --autoscale} reads to start an earlier run's members again, and only them. */
class NodeStateTokensTest {
    @TempDir
    Path data;

    @Test
    void aDirectoryHoldsTokensOnlyWhileItsNodeJoinedAndHasNotLeft() throws Exception {
        assertFalse(NodeState.holdsTokens(data.resolve("never-made")), "no directory");
        NodeState started = NodeState.startNewGeneration(data, 1_000_000);
        assertFalse(NodeState.holdsTokens(data), "started, never joined");
        NodeState joined = started.withTokens(new long[] {11, 22}, data);
        assertTrue(NodeState.holdsTokens(data), "a member");
        joined.withTokens(new long[0], data);
        assertFalse(NodeState.holdsTokens(data), "left: it gave its tokens up");
        Files.writeString(data.resolve(NodeState.FILE), "damaged");
        assertTrue(NodeState.holdsTokens(data), "a damaged file is for the node to report as it starts");
    }
}

package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.runtime.IdlePreset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCommandConfigTest {
    @TempDir
    Path directory;

    @Test
    void withNoOptionsEverySettingHasADefaultForASingleNodeCluster() {
        NodeConfig config = NodeCommand.config(Options.parse(List.of()));
        assertEquals(NodeId.of("node1"), config.id());
        assertEquals("127.0.0.1:7400", config.listen().toString());
        assertTrue(config.peers().isEmpty());
        assertEquals(Path.of("data/node1"), config.dataDirectory());
        assertEquals(IdlePreset.ADAPTIVE, config.idle());
    }

    @Test
    void theConfigFileFillsInWhatTheCommandLineLeavesOut() throws IOException {
        Path file = directory.resolve("ringkv.properties");
        Files.writeString(file, "id = n7\nlisten = 127.0.0.1:7411\npeers = n8=127.0.0.1:7412\nidle = backoff\n");
        NodeConfig config = NodeCommand.config(Options.parse(List.of("--config", file.toString(), "--idle", "busy-spin")));
        assertEquals(NodeId.of("n7"), config.id());
        assertEquals(7411, config.listen().port());
        assertEquals(List.of(NodeId.of("n8")), List.copyOf(config.peers().keySet()));
        assertEquals(IdlePreset.BUSY_SPIN, config.idle(), "the command line wins over the file");
    }

    @Test
    void anUnknownSettingInTheFileIsRejectedByName() throws IOException {
        Path file = directory.resolve("bad.properties");
        Files.writeString(file, "lisen = 127.0.0.1:7411\n");
        UsageException error = assertThrows(UsageException.class,
            () -> NodeCommand.config(Options.parse(List.of("--config", file.toString()))));
        assertTrue(error.getMessage().contains("unknown option --lisen"), error.getMessage());
    }

    @Test
    void aMissingConfigFileIsAClearError() {
        UsageException error = assertThrows(UsageException.class,
            () -> NodeCommand.config(Options.parse(List.of("--config", directory.resolve("none").toString()))));
        assertTrue(error.getMessage().startsWith("cannot read config file"), error.getMessage());
    }
}

package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.KvException;
import io.ringkv.node.transport.ClusterKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringkv cluster-key generate} and {@code ringkv node --cluster-key-file}. */
class ClusterKeyCommandTest {
    @TempDir
    Path directory;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return DaggerLauncherComponent.create().launcher().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void generateWritesAPrivateFileThatANodeLoadsAndNeverReplacesOne() throws IOException {
        Path file = directory.resolve("cluster.key");
        assertEquals(0, run("cluster-key", "generate", "--out", file.toString()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String written = Files.readString(file);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "the key is not printed when written");
        assertEquals(1, NodeCommand.config(List.of("--cluster-key-file", file.toString())).clusterKey().keyCount());
        assertEquals(1, run("cluster-key", "generate", "--out", file.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("exists"), err.toString(StandardCharsets.UTF_8));
        assertEquals(written, Files.readString(file), "the existing key is kept");
    }

    @Test
    void generatePrintsANewKeyEachTime() {
        assertEquals(0, run("cluster-key", "generate"));
        assertEquals(0, run("cluster-key", "generate"));
        List<String> keys = out.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.startsWith("#")).toList();
        assertEquals(2, keys.size());
        assertTrue(!keys.get(0).equals(keys.get(1)));
    }

    @Test
    void theKeyFileMayBeNamedInTheConfigFile() throws IOException {
        Path key = directory.resolve("cluster.key");
        Files.writeString(key, ClusterKey.generate(new java.security.SecureRandom()));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path config = directory.resolve("ringkv.properties");
        Files.writeString(config, "cluster-key-file = " + key + "\n");
        assertEquals(1, NodeCommand.config(List.of("--config", config.toString())).clusterKey().keyCount());
        assertNull(NodeCommand.config(List.of()).clusterKey(), "no key unless one is named");
    }

    @Test
    void aNodeRefusesAKeyFileItCannotReadNamingIt() {
        Path missing = directory.resolve("absent.key");
        KvException error = assertThrows(KvException.class,
            () -> NodeCommand.config(List.of("--cluster-key-file", missing.toString())));
        assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    }
}

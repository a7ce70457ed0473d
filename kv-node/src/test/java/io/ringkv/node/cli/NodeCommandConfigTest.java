package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        NodeConfig config = NodeCommand.config(List.of());
        assertEquals(NodeId.of("node1"), config.id());
        assertEquals("127.0.0.1:7400", config.listen().toString());
        assertTrue(config.seeds().isEmpty());
        assertTrue(config.standalone());
        assertEquals(1, config.cluster().consistency(config.standalone()).n(), "a standalone node keeps one replica");
        assertEquals("fixed", config.gossip().detector());
        assertEquals(15_000, config.gossip().suspectAfterMillis());
        assertEquals(30_000, config.gossip().downAfterMillis());
        assertEquals(Path.of("data/node1"), config.dataDirectory());
        assertEquals(IdlePreset.ADAPTIVE, config.idle());
    }

    @Test
    void theTransportTimeoutDefaultsToTenMinutesAndIsBoundedByName() {
        assertEquals(600_000, NodeCommand.config(List.of()).transportTimeoutMillis());
        assertEquals(45_000, NodeCommand.config(List.of("--transport-timeout-ms", "45000"))
            .transportTimeoutMillis());
        for (String bad : List.of("1999", "86400001", "ten")) {
            UsageException error = assertThrows(UsageException.class,
                () -> NodeCommand.config(List.of("--transport-timeout-ms", bad)));
            assertTrue(error.getMessage().contains("--transport-timeout-ms"), error.getMessage());
        }
    }

    @Test
    void theScalingPolicyHasDefaultsAndRefusesBadSettingsByName() {
        var defaults = NodeCommand.config(List.of()).scaling();
        assertEquals(io.ringkv.gossip.ScalingPolicy.Config.DEFAULT, defaults);
        var given = NodeCommand.config(List.of("--scale-target-rps", "250", "--scale-nodes", "3,5",
            "--scale-up-after-s", "7", "--scale-cooldown-s", "0")).scaling();
        assertEquals(250, given.targetPerNode(), 1e-9);
        assertEquals(3, given.minNodes());
        assertEquals(5, given.maxNodes());
        assertEquals(7_000_000_000L, given.upAfterNanos());
        assertEquals(0, given.coolDownNanos());
        for (List<String> bad : List.of(List.of("--scale-nodes", "5,3"), List.of("--scale-nodes", "4"),
            List.of("--scale-target-rps", "0"), List.of("--scale-max-bytes", "-1"))) {
            RuntimeException error = assertThrows(RuntimeException.class,
                () -> NodeCommand.config(bad));
            assertTrue(error.getMessage().contains("target") || error.getMessage().contains("scale")
                || error.getMessage().contains("min <= max") || error.getMessage().contains("data limit"),
                bad + ": " + error.getMessage());
        }
    }

    @Test
    void theConfigFileFillsInWhatTheCommandLineLeavesOut() throws IOException {
        Path file = directory.resolve("ringkv.properties");
        Files.writeString(file, "id = n7\nlisten = 127.0.0.1:7411\nseeds = 127.0.0.1:7411,127.0.0.1:7412\nidle = backoff\n");
        NodeConfig config = NodeCommand.config(List.of("--config", file.toString(), "--idle", "busy-spin"));
        assertEquals(NodeId.of("n7"), config.id());
        assertEquals(7411, config.listen().port());
        assertEquals("[127.0.0.1:7412]", config.otherSeeds().toString(), "its own address is not a seed to call");
        assertEquals(3, config.cluster().consistency(config.standalone()).n(), "a node with seeds defaults to N = 3");
        assertEquals(IdlePreset.BUSY_SPIN, config.idle(), "the command line wins over the file");
    }

    @Test
    void anUnknownSettingInTheFileIsRejectedByName() throws IOException {
        Path file = directory.resolve("bad.properties");
        Files.writeString(file, "lisen = 127.0.0.1:7411\n");
        UsageException error = assertThrows(UsageException.class,
            () -> NodeCommand.config(List.of("--config", file.toString())));
        assertTrue(error.getMessage().contains("unknown option --lisen"), error.getMessage());
        assertTrue(error.getMessage().contains(file.toString()), "names the file: " + error.getMessage());
    }

    @Test
    void gossipTimingsScaleWithTheIntervalAndBadOnesAreRejectedByName() {
        NodeConfig config = NodeCommand.config(List.of("--gossip-interval-ms", "100",
            "--failure-detector", "phi"));
        assertEquals(1_500, config.gossip().suspectAfterMillis());
        assertEquals(3_000, config.gossip().downAfterMillis());
        assertEquals("phi", config.gossip().detector());
        io.ringkv.api.KvException error = assertThrows(io.ringkv.api.KvException.class,
            () -> NodeCommand.config(List.of("--suspect-after-ms", "5000", "--down-after-ms", "1000")));
        assertTrue(error.getMessage().contains("down-after at least suspect-after"), error.getMessage());
        error = assertThrows(io.ringkv.api.KvException.class,
            () -> NodeCommand.config(List.of("--failure-detector", "psychic")));
        assertTrue(error.getMessage().contains("[fixed, phi]"), error.getMessage());
    }

    @Test
    void aZoneOrRackThatWouldBreakStatusLinesIsRejectedByName() {
        for (String label : List.of("us east", "a,b", "rack=2", "tab\there")) {
            io.ringkv.api.KvException error = assertThrows(io.ringkv.api.KvException.class,
                () -> NodeCommand.config(List.of("--zone", label)), label);
            assertTrue(error.getMessage().startsWith("zone must be"), error.getMessage());
        }
        io.ringkv.api.KvException error = assertThrows(io.ringkv.api.KvException.class,
            () -> NodeCommand.config(List.of("--rack", "r 1")));
        assertTrue(error.getMessage().startsWith("rack must be"), error.getMessage());
        assertEquals("eu-west-1", NodeCommand.config(List.of("--zone", "eu-west-1")).zone());
    }

    @Test
    void theFrontDoorHasAThreadOfItsOwnUnlessToldOtherwiseAndABadPlaceIsRejectedByName() {
        assertFalse(NodeCommand.config(List.of()).clients().frontDoorOnAgent());
        assertTrue(NodeCommand.config(List.of("--front-door-thread", "agent")).clients().frontDoorOnAgent());
        assertFalse(NodeCommand.config(List.of("--front-door-thread", "own")).clients().frontDoorOnAgent());
        io.ringkv.api.KvException error = assertThrows(io.ringkv.api.KvException.class,
            () -> NodeCommand.config(List.of("--front-door-thread", "mine")));
        assertTrue(error.getMessage().contains("--front-door-thread must be agent or own, was mine"),
            error.getMessage());
    }

    @Test
    void clientBoundsComeFromFlagsOrTheFileAndBadOnesAreRejectedByName() throws IOException {
        NodeConfig defaults = NodeCommand.config(List.of());
        assertEquals(0, defaults.clients().idleTimeoutSeconds(), "idle connections stay open, as in Redis");
        assertEquals(30, defaults.clients().requestTimeoutSeconds());
        Path file = directory.resolve("clients.properties");
        Files.writeString(file, "client-idle-timeout = 300\nclient-max-unsent-bytes = 65536\n");
        NodeConfig config = NodeCommand.config(List.of("--config", file.toString(),
            "--client-request-timeout", "5", "--client-max-pending-replies", "64"));
        assertEquals(300, config.clients().idleTimeoutSeconds());
        assertEquals(5, config.clients().requestTimeoutSeconds());
        assertEquals(64, config.clients().maxPendingReplies());
        assertEquals(65_536, config.clients().maxUnsentReplyBytes());
        for (String name : List.of("client-idle-timeout", "client-request-timeout", "client-max-pending-replies",
            "client-max-unsent-bytes")) {
            UsageException error = assertThrows(UsageException.class,
                () -> NodeCommand.config(List.of("--" + name, "-1")), name);
            assertTrue(error.getMessage().startsWith("--" + name + " must be from"), error.getMessage());
        }
    }

    @Test
    void aWrongValueInTheFileIsRefusedNamingTheFileAndTheOption() throws IOException {
        Path file = directory.resolve("typo.properties");
        Files.writeString(file, "client-port = many\n");
        UsageException error = assertThrows(UsageException.class,
            () -> NodeCommand.config(List.of("--config", file.toString())));
        assertTrue(error.getMessage().startsWith("config file " + file), error.getMessage());
        assertTrue(error.getMessage().contains("--client-port") && error.getMessage().contains("'many'"),
            error.getMessage());
        assertEquals(7390, NodeCommand.config(List.of("--config", file.toString(), "--client-port", "7390"))
            .clientPort(), "a value the command line overrides is never read");
    }

    @Test
    void settingsTheDefaultsDeriveFromComeFromTheFileToo() throws IOException {
        Path file = directory.resolve("gossip.properties");
        Files.writeString(file, "gossip-interval-ms = 200\nid = n4\n");
        NodeConfig config = NodeCommand.config(List.of("--config", file.toString()));
        assertEquals(3_000, config.gossip().suspectAfterMillis(), "15 intervals of the file's interval");
        assertEquals(Path.of("data/n4"), config.dataDirectory(), "the data directory follows the file's id");
    }

    @Test
    void aMissingConfigFileIsAClearError() {
        UsageException error = assertThrows(UsageException.class,
            () -> NodeCommand.config(List.of("--config", directory.resolve("none").toString())));
        assertTrue(error.getMessage().startsWith("cannot read config file"), error.getMessage());
    }

    @Test
    void theUsersFileAndTheProtectedModeOverrideComeFromFlagsOrTheFile() throws IOException {
        NodeConfig defaults = NodeCommand.config(List.of());
        assertEquals(null, defaults.clients().usersFile(), "no users by default");
        assertEquals(false, defaults.clients().allowUnauthenticated(), "protected mode on by default");
        NodeConfig flags = NodeCommand.config(List.of("--users-file", "/etc/ringkv/users", "--allow-unauthenticated"));
        assertEquals(Path.of("/etc/ringkv/users"), flags.clients().usersFile());
        assertTrue(flags.clients().allowUnauthenticated());
        Path file = directory.resolve("ringkv.properties");
        Files.writeString(file, "users-file = users.txt\nallow-unauthenticated = true\n");
        NodeConfig fromFile = NodeCommand.config(List.of("--config", file.toString()));
        assertEquals(Path.of("users.txt"), fromFile.clients().usersFile());
        assertTrue(fromFile.clients().allowUnauthenticated());
    }

    @Test
    void peerEncryptionTakesTheClusterKeyFromTheFlagOrTheFileAndNeedsIt() throws IOException {
        Path key = directory.resolve("cluster.key");
        Files.writeString(key, io.ringkv.node.transport.ClusterKey.generate(new java.security.SecureRandom()));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertTrue(!NodeCommand.config(List.of("--cluster-key-file", key.toString())).clusterKey().encrypts());
        assertTrue(NodeCommand.config(List.of("--cluster-key-file", key.toString(), "--peer-encryption"))
            .clusterKey().encrypts());
        Path file = directory.resolve("ringkv.properties");
        Files.writeString(file, "cluster-key-file = " + key + "\npeer-encryption = true\n");
        assertTrue(NodeCommand.config(List.of("--config", file.toString())).clusterKey().encrypts());
        UsageException refused = assertThrows(UsageException.class,
            () -> NodeCommand.config(List.of("--peer-encryption")));
        assertTrue(refused.getMessage().contains("--cluster-key-file"), refused.getMessage());
    }
}

package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.node.ClusterSettings;
import io.ringkv.node.GossipSettings;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.sim.SimNode;
import io.ringkv.sim.Simulation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The join of a node, in virtual time with the node's real data directory. */
class ClusterMembershipTest {
    @TempDir
    Path directory;

    @Test
    void everySeedAddressNamesAValidDistinctPlaceholder() {
        assertEquals("seed-10.0.0.1-7400", ClusterMembership.seedId(PeerAddress.parse("10.0.0.1:7400")).value());
        NodeId ipv6 = ClusterMembership.seedId(PeerAddress.parse("[::1]:7400"));
        NodeId otherPort = ClusterMembership.seedId(PeerAddress.parse("[::1]:7401"));
        NodeId longName = ClusterMembership.seedId(PeerAddress.parse("a".repeat(60) + ".example:7400"));
        assertTrue(ipv6.value().startsWith("seed-"), ipv6.value());
        assertTrue(longName.value().length() <= NodeId.MAX_LENGTH, longName.value());
        assertEquals(3, new java.util.HashSet<>(List.of(ipv6, otherPort, longName)).size(),
            "two addresses share a placeholder");
        assertEquals(ipv6, ClusterMembership.seedId(PeerAddress.parse("[::1]:7400")), "not stable");
    }

    @Test
    void aJoinThatCannotStoreItsTokensStaysJoiningAndIsRetried() throws IOException {
        NodeConfig config = new NodeConfig(NodeId.of("node1"), PeerAddress.parse("127.0.0.1:7400"), List.of(),
            directory, IdlePreset.ADAPTIVE, 7379, "zone1", "rack1", GossipSettings.DEFAULT, ClusterSettings.DEFAULT,
            Map.of());
        // node.state is written through node.state.tmp; a directory in its place makes every write fail
        Path blocker = directory.resolve(NodeState.FILE + ".tmp");
        List<String> events = new ArrayList<>();
        Simulation simulation = new Simulation(1);
        SimNode<ClusterMembership> node = simulation.addNode(config.id(), (context, disk) -> {
            NodeState stored = NodeState.startNewGeneration(directory, context.clock().wallClockMillis());
            try {
                Files.createDirectories(blocker.resolve("in-the-way"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ClusterMembership membership = new ClusterMembership(context, config,
                config.cluster().consistency(true), disk.open("data")::metrics, stored, events::add);
            membership.start();
            return membership;
        });
        simulation.runFor(TimeUnit.SECONDS.toNanos(12));
        assertEquals(NodeStatus.JOINING, node.instance().gossiper().self().status());
        long failures = events.stream().filter(line -> line.startsWith("joining failed")).count();
        assertTrue(failures >= 2, "the join was not retried: " + events);
        assertTrue(node.counters().value("gossip_rounds") >= 10, "gossip's rounds are not in the node's registry");

        Files.delete(blocker.resolve("in-the-way"));
        Files.delete(blocker);
        simulation.runFor(TimeUnit.SECONDS.toNanos(6));
        assertEquals(NodeStatus.NORMAL, node.instance().gossiper().self().status(), events.toString());
        assertEquals(ClusterSettings.DEFAULT.vnodes(), NodeState.load(directory).tokens().length,
            "the tokens were not stored");
    }

    @Test
    void aNodeThatRemembersMembersStillWaitsToHearFromASeedBeforeJoining() {
        NodeConfig config = withASilentSeed();
        // the previous run knew node2; it is gone, and the seed does not answer
        io.ringkv.api.Node gone = node2();
        io.ringkv.gossip.Gossiper.Remembered remembered = new io.ringkv.gossip.Gossiper.Remembered(List.of(
            io.ringkv.gossip.EndpointState.initial(gone, 5, NodeStatus.NORMAL, new long[] {1, 2, 3}, Map.of())),
            List.of());
        List<String> events = new ArrayList<>();
        Simulation simulation = new Simulation(1);
        SimNode<ClusterMembership> node = simulation.addNode(config.id(), (context, disk) -> {
            NodeState stored = NodeState.startNewGeneration(directory, context.clock().wallClockMillis());
            ClusterMembership membership = new ClusterMembership(context, config,
                config.cluster().consistency(true), disk.open("data")::metrics, stored, remembered, view -> { },
                events::add);
            membership.start();
            return membership;
        });
        simulation.runFor(TimeUnit.SECONDS.toNanos(30));
        assertEquals(2, node.instance().gossiper().knownEndpoints(), "the remembered member was not restored");
        assertEquals(NodeStatus.JOINING, node.instance().gossiper().self().status(),
            "joined from a stale view: " + events);
        assertTrue(events.stream().anyMatch(line -> line.startsWith("waiting to hear from a seed")), events.toString());
    }

    @Test
    void changesOfExpiryAreMarkedOnlyWhileEveryMemberAnnouncesItTakesThem() {
        // node2 as the previous run knew it: a member of an earlier build announces no features
        assertEquals(false, expiryMarksWith(NodeStatus.NORMAL, Map.of()));
        assertEquals(false, expiryMarksWith(NodeStatus.JOINING, Map.of(ClusterMembership.FEATURES, "other")));
        assertEquals(true, expiryMarksWith(NodeStatus.NORMAL, Map.of(ClusterMembership.FEATURES,
            "other," + ClusterMembership.EXPIRY_MARKS)));
        assertEquals(true, expiryMarksWith(NodeStatus.LEFT, Map.of()), "a node that left receives nothing");
    }

    /** @return what a node that remembers node2 (in {@code status}, announcing {@code app}) tells of expiry marks */
    private boolean expiryMarksWith(NodeStatus status, Map<String, String> app) {
        NodeConfig config = withASilentSeed();
        io.ringkv.api.Node node2 = node2();
        io.ringkv.gossip.Gossiper.Remembered remembered = new io.ringkv.gossip.Gossiper.Remembered(List.of(
            io.ringkv.gossip.EndpointState.initial(node2, 5, status, new long[] {1, 2, 3}, app)), List.of());
        List<Boolean> told = new ArrayList<>();
        List<String> events = new ArrayList<>();
        Simulation simulation = new Simulation(1);
        simulation.addNode(config.id(), (context, disk) -> {
            NodeState stored = NodeState.startNewGeneration(directory, context.clock().wallClockMillis());
            ClusterMembership membership = new ClusterMembership(context, config,
                config.cluster().consistency(true), disk.open("data")::metrics, stored, remembered, view -> { },
                events::add);
            membership.onExpiryMarks(told::add);
            membership.start();
            return membership;
        });
        simulation.runFor(TimeUnit.SECONDS.toNanos(2));
        assertEquals(1, told.size(), "told once, at once: " + told);
        assertTrue(events.stream().noneMatch(line -> line.contains("changes of expiry")),
            "a start is no switch to log: " + events);
        return told.getFirst();
    }

    /** node1, whose one seed (127.0.0.9) never answers */
    private NodeConfig withASilentSeed() {
        return new NodeConfig(NodeId.of("node1"), PeerAddress.parse("127.0.0.1:7400"),
            List.of(PeerAddress.parse("127.0.0.9:7400")), directory, IdlePreset.ADAPTIVE, 7379, "zone1", "rack1",
            GossipSettings.DEFAULT, ClusterSettings.DEFAULT, Map.of());
    }

    private static io.ringkv.api.Node node2() {
        return new io.ringkv.api.Node(NodeId.of("node2"), "127.0.0.2", 7400, 7379, "zone1", "rack1");
    }
}

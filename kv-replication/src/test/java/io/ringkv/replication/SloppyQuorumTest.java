package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Sloppy quorum's target selection on small rings with one token per node: node n<i> owns token 100 * i, so a key
 * at token 150 belongs to n2's range and, in one rack, its owners are n2, n3, n4 and the clockwise walk beyond them
 * meets n5, n6, ..., then n1.
 */
class SloppyQuorumTest {
    private static final long KEY = 150;

    @Test
    void withoutSloppyQuorumDownOwnersGetNoSubstitute() {
        Ring ring = ring(6);
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring, KEY, 3, down("n3"), false);
        assertEquals(ids("n2", "n3", "n4"), targets.owners());
        assertArrayEquals(new boolean[] {true, false, true}, targets.alive());
        assertArrayEquals(new NodeId[3], targets.substitutes());
        assertEquals(2, targets.liveOwners());
        assertEquals(0, targets.substituted());
    }

    @Test
    void allOwnersAliveNeedNoSubstitute() {
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring(6), KEY, 3, LivenessView.ALL_ALIVE, true);
        assertArrayEquals(new NodeId[3], targets.substitutes());
        assertEquals(3, targets.liveOwners());
    }

    @Test
    void aDownOwnerIsReplacedByTheFirstHealthyNodeClockwiseBeyondTheOwners() {
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring(6), KEY, 3, down("n3"), true);
        assertArrayEquals(new NodeId[] {null, id("n5"), null}, targets.substitutes());
        assertEquals(1, targets.substituted());
    }

    @Test
    void substitutesAreDistinctAliveAndNotOwners() {
        // n5 is down too: it is skipped; n3 and n4 get the next two healthy nodes in clockwise order
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring(7), KEY, 3, down("n3", "n4", "n5"), true);
        assertArrayEquals(new NodeId[] {null, id("n6"), id("n7")}, targets.substitutes());
    }

    @Test
    void theWalkWrapsPastTheEndOfTheRing() {
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring(6), KEY, 3, down("n2", "n3", "n5", "n6"), true);
        // only n1 is healthy beyond the owners: the first down owner gets it, the second none
        assertArrayEquals(new NodeId[] {id("n1"), null, null}, targets.substitutes());
        assertEquals(1, targets.liveOwners());
    }

    @Test
    void aNodeThatMayNotStandInIsPassedOver() {
        // owners n2, n3, n4; n3 down: n5 would stand in, but it gains the key in the ring the cluster moves to
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring(5), KEY, 3, down("n3"), true, Set.of(id("n5")));
        assertEquals(ids("n2", "n3", "n4"), targets.owners());
        assertArrayEquals(new NodeId[] {null, id("n1"), null}, targets.substitutes());
        assertArrayEquals(new NodeId[] {null, id("n5"), null},
            SloppyQuorum.select(ring(5), KEY, 3, down("n3"), true).substitutes());
    }

    @Test
    void aRingWithNoSpareNodeGivesNoSubstitute() {
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring(3), KEY, 3, down("n3"), true);
        assertEquals(ids("n2", "n3", "n1"), targets.owners());
        assertArrayEquals(new NodeId[3], targets.substitutes());
    }

    @Test
    void aSubstituteInAFailureDomainNoCopyUsesIsPreferred() {
        // racks: n1 A, n2 A, n3 B, n4 C, n5 A, n6 B, n7 C; owners of the key n2 (A), n3 (B), n4 (C)
        Ring ring = ring(List.of("A", "A", "B", "C", "A", "B", "C"));
        assertEquals(ids("n2", "n3", "n4"), SloppyQuorum.select(ring, KEY, 3, LivenessView.ALL_ALIVE, true)
            .owners());
        // n3 (B) is down; live copies are in A and C: n5 (A) comes first clockwise, n6 (B) is preferred
        assertArrayEquals(new NodeId[] {null, id("n6"), null},
            SloppyQuorum.select(ring, KEY, 3, down("n3"), true).substitutes());
        // n3 (B) and n4 (C) down: the copies already spread keep spreading, B for n3 and then C for n4
        assertArrayEquals(new NodeId[] {null, id("n6"), id("n7")},
            SloppyQuorum.select(ring, KEY, 3, down("n3", "n4"), true).substitutes());
    }

    @Test
    void aRepeatedDomainIsTakenWhenNoOtherIsLeft() {
        // racks: n1..n5 all A except n3 (B); n3 down: the only candidates are in A, the first clockwise is taken
        Ring ring = ring(List.of("A", "A", "B", "A", "A", "A"));
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring, KEY, 3, down("n3"), true);
        NodeId substitute = targets.substitutes()[targets.owners().indexOf(id("n3"))];
        Set<NodeId> owners = Set.copyOf(targets.owners());
        assertEquals(false, owners.contains(substitute));
        assertEquals(firstHealthyBeyond(ring, owners, down("n3")), substitute);
    }

    private static NodeId firstHealthyBeyond(Ring ring, Set<NodeId> owners, LivenessView liveness) {
        int start = ring.tokenIndexFor(KEY);
        for (int step = 0; step < ring.tokenCount(); step++) {
            NodeId id = ring.node(ring.ownerIndex((start + step) % ring.tokenCount())).id();
            if (!owners.contains(id) && liveness.isAlive(id)) {
                return id;
            }
        }
        return null;
    }

    @Test
    void aRequestForFewerReplicasThanTheRingKeepsSelectsThatMany() {
        SloppyQuorum.Targets targets = SloppyQuorum.select(ring(6), KEY, 2, down("n2"), true);
        assertEquals(ids("n2", "n3"), targets.owners());
        assertNull(targets.substitutes()[1]);
        NodeId substitute = targets.substitutes()[0];
        assertEquals(false, substitute == null || targets.owners().contains(substitute));
    }

    /** n1..n{count} in one rack, node n<i> owning token 100 * i. */
    private static Ring ring(int count) {
        return ring(Stream.generate(() -> "A").limit(count).toList());
    }

    /** Node n<i> in rack racks[i-1] of one zone, owning token 100 * i. */
    private static Ring ring(List<String> racks) {
        Ring.Builder builder = Ring.builder().replicationFactor(3);
        for (int i = 1; i <= racks.size(); i++) {
            builder.add(Node.of("n" + i, "127.0.0.1", 7000 + i, 8000 + i).inRack("zone1", racks.get(i - 1)),
                100L * i);
        }
        return builder.build();
    }

    private static LivenessView down(String... names) {
        Set<NodeId> down = Stream.of(names).map(NodeId::of).collect(Collectors.toSet());
        return node -> !down.contains(node);
    }

    private static NodeId id(String name) {
        return NodeId.of(name);
    }

    private static List<NodeId> ids(String... names) {
        return Stream.of(names).map(NodeId::of).toList();
    }
}

package io.ringkv.gossip.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.Leftovers;
import io.ringkv.gossip.NodeLifecycle;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.RangeMover;
import io.ringkv.gossip.internal.GossipCodec;
import io.ringkv.gossip.sbe.AckDecoder;
import io.ringkv.ring.Ring;
import io.ringkv.sim.SimulationSeeds;
import java.util.Arrays;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The join, decommission and replacement of {@link NodeLifecycle}, many nodes in virtual time with message loss and
 * a simulated range mover that takes a few rounds and sometimes gives up. Besides each scenario's end state, every
 * run checks the whole history: no node ever saw two NORMAL nodes claim one token; a join's move was asked for only
 * after its pending tokens were announced (and had a few rounds to spread), and the node became NORMAL only after a
 * move against those tokens finished; a leave's move was asked for only after LEAVING spread, and LEFT came only
 * after it finished.
 */
class LifecycleSimulationTest {
    private static final String MODULE = "kv-gossip";
    private static final double LOSS = 0.05;

    @Test
    void nodesStartedTogetherOnAnEmptyClusterAllBecomeNormalWithDisjointTokensAndOneRing() {
        SimulationSeeds.run(getClass(), "nodesStartedTogetherOnAnEmptyClusterAllBecomeNormalWithDisjointTokensAndOneRing",
            MODULE, 20, seed -> {
                int size = 6 + (int) (seed % 3);
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS);
                List<NodeId> ids = cluster.addAll(size);
                cluster.awaitSettled(500, List.of());
                Ring ring = cluster.lifecycle(ids.get(0)).ring();
                assertEquals(size * LifecycleCluster.VNODES, ring.tokenCount(), "tokens lost to conflicts");
                for (NodeId id : ids) {
                    long[] own = sorted(cluster.lifecycle(id).gossiper().self().tokens());
                    assertEquals(LifecycleCluster.VNODES, own.length, id.toString());
                    assertArrayEquals(own, sorted(ring.tokensOf(id)), id + " does not own what it announced");
                    assertArrayEquals(own, sorted(cluster.stored(id)), id + " did not store its tokens");
                }
                assertHistory(cluster);
            });
    }

    @Test
    void nodesJoiningOneAtATimeMoveTheirRangesAfterAnnouncingPendingTokensAndServeOnlyAfterTheMove() {
        SimulationSeeds.run(getClass(),
            "nodesJoiningOneAtATimeMoveTheirRangesAfterAnnouncingPendingTokensAndServeOnlyAfterTheMove", MODULE, 20,
            seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(1, 6, 0.3);
                cluster.addAll(3);
                cluster.awaitSettled(300, List.of());
                for (int i = 0; i < 3; i++) {
                    NodeId joiner = cluster.add(null);
                    cluster.awaitSettled(300, List.of());
                    List<LifecycleCluster.MoveRecord> receives = cluster.moves().stream()
                        .filter(m -> m.node.equals(joiner)).toList();
                    assertFalse(receives.isEmpty(), joiner + " joined a running cluster without moving data");
                    for (LifecycleCluster.MoveRecord move : receives) {
                        assertEquals(RangeMover.Direction.RECEIVE, move.move.direction());
                        assertFalse(move.move.current().contains(joiner), "moved as an owner: " + move);
                        assertTrue(move.move.future().contains(joiner), "moved without pending tokens: " + move);
                    }
                }
                assertTrue(cluster.moves().stream().anyMatch(m -> m.failedAt >= 0), "the retry went untested");
                assertHistory(cluster);
            });
    }

    /**
     * Two nodes join on either side of a partition, each against the same ring, pick the same tokens (the balanced
     * allocator is deterministic) and both become NORMAL. Once the partition heals, the larger id loses the tokens in
     * conflict. It held their ranges, and took writes for them: it must hand those ranges over (LEAVING, then a move
     * that sends what it held to the nodes that hold it now, the winner first of all) before it joins again with
     * other tokens. Rejoining at once left the writes it alone held behind, in ranges no one would repair with it.
     */
    @Test
    void aNormalNodeThatLosesATokenConflictHandsItsRangesOverBeforeJoiningAgain() {
        Conflict conflict = Conflict.healed(11, 0.0);
        conflict.cluster.awaitSettled(400, List.of());
        conflict.assertHandedOverThenJoined();
    }

    /**
     * The same, with moves that fail and are tried again, and the loser restarted in the middle of its hand-over with
     * the view it had (its peers file): the restored view already shows the conflict, and no later change of the ring
     * would bring it up again, so the start itself must.
     */
    @Test
    void aNodeRestartedWhileHandingOverLostTokensHandsThemOverAgain() {
        Conflict conflict = Conflict.healed(11, 0.5);
        LifecycleCluster cluster = conflict.cluster;
        assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(conflict.loser).gossiper().self().status()
            == NodeStatus.LEAVING, 100 * LifecycleCluster.INTERVAL), cluster.events(conflict.loser));
        cluster.rememberView(conflict.loser);
        cluster.simulation().crash(conflict.loser);
        cluster.runRounds(2);
        cluster.simulation().restart(conflict.loser);
        cluster.awaitSettled(600, List.of());
        assertTrue(cluster.events(conflict.loser).contains("#2 another node claimed"), cluster.events(conflict.loser));
        conflict.assertHandedOverThenJoined();
    }

    @Test
    void aNodeRestartedWhileAnotherJoinsTellsItsRingListenerOfTheJoinAtStart() {
        // the rings restored from the peers file reached no listener: gossip then brought the same states, no ring
        // changed, and the restarted node's writes skipped the joiner until some other change came
        LifecycleCluster cluster = new LifecycleCluster(5, 0).moves(1, 2, 0.0);
        List<NodeId> members = cluster.addAll(3);
        cluster.awaitSettled(300, List.of());
        // a join that stays under way for the rest of the test
        cluster.moves(400, 400, 0.0);
        NodeId joiner = cluster.add(null);
        NodeId restarted = members.get(1);
        assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(restarted).futureRing().contains(joiner),
            100 * LifecycleCluster.INTERVAL), cluster.events(joiner));
        cluster.rememberView(restarted);
        cluster.simulation().crash(restarted);
        cluster.simulation().restart(restarted);
        io.ringkv.ring.Ring told = cluster.futureTold(restarted);
        assertTrue(told != null && told.contains(joiner), "at start the listener heard the joiner's pending tokens: "
            + told);
        assertTrue(!cluster.lifecycle(restarted).ring().contains(joiner), "the joiner is still joining");
    }

    /** Two NORMAL nodes with the same tokens, on either side of a partition that just healed. */
    private record Conflict(LifecycleCluster cluster, NodeId winner, NodeId loser, long[] lost, long healedAt) {
        static Conflict healed(long seed, double moveFailures) {
            LifecycleCluster cluster = new LifecycleCluster(seed, 0).moves(1, 2, 0.0);
            List<NodeId> seeds = cluster.addAll(3);
            cluster.awaitSettled(300, List.of());
            cluster.simulation().network().partition(List.of(seeds.get(0), seeds.get(1), LifecycleCluster.idOf(3)),
                List.of(seeds.get(2), LifecycleCluster.idOf(4)));
            NodeId winner = cluster.add(null);
            NodeId loser = cluster.add(null);
            cluster.runRounds(60);
            assertEquals(NodeStatus.NORMAL, cluster.lifecycle(winner).gossiper().self().status(),
                cluster.events(winner));
            assertEquals(NodeStatus.NORMAL, cluster.lifecycle(loser).gossiper().self().status(),
                cluster.events(loser));
            long[] lost = sorted(cluster.lifecycle(loser).gossiper().self().tokens());
            assertArrayEquals(sorted(cluster.lifecycle(winner).gossiper().self().tokens()), lost,
                "the two joiners picked different tokens: the scenario needs the same");
            cluster.moves(1, 3, moveFailures);
            long healedAt = cluster.simulation().now();
            cluster.simulation().network().heal();
            return new Conflict(cluster, winner, loser, lost, healedAt);
        }

        /**
         * The loser announced LEAVING first after the heal, and before it announced JOINING a hand-over finished that
         * sent every range of every token it held to rings where the winner holds them (and it does not); in the end
         * both own their tokens, none twice.
         */
        void assertHandedOverThenJoined() {
            List<LifecycleCluster.Announcement> after = cluster.announcements().stream()
                .filter(a -> a.node().equals(loser) && a.at() >= healedAt).toList();
            assertFalse(after.isEmpty(), cluster.events(loser));
            assertEquals(NodeStatus.LEAVING, after.getFirst().status(), "it stopped taking writes for the ranges"
                + " it held only after handing them over: " + after + "\n" + cluster.events(loser));
            long joinedAgain = after.stream().filter(a -> a.status() == NodeStatus.JOINING)
                .mapToLong(LifecycleCluster.Announcement::at).max().orElseThrow();
            List<LifecycleCluster.MoveRecord> handOvers = cluster.moves().stream()
                .filter(m -> m.node.equals(loser) && m.requestedAt >= healedAt && m.requestedAt < joinedAgain
                    && m.move.direction() == RangeMover.Direction.SEND).toList();
            assertFalse(handOvers.isEmpty(), "no hand-over before joining again:\n" + cluster.events(loser));
            LifecycleCluster.MoveRecord last = handOvers.getLast();
            assertTrue(last.finishedAt >= 0 && last.finishedAt <= joinedAgain,
                "joined again before the hand-over finished: " + handOvers);
            for (LifecycleCluster.MoveRecord handOver : handOvers) {
                RangeMover.Move move = handOver.move;
                assertArrayEquals(lost, sorted(move.current().tokensOf(loser)),
                    "the hand-over sends the ranges of every token it held, those in conflict too");
                assertFalse(move.current().contains(winner), "the winner would be taken to hold them already");
                assertArrayEquals(lost, sorted(move.future().tokensOf(winner)));
                assertFalse(move.future().contains(loser));
            }
            Ring ring = cluster.lifecycle(winner).ring();
            assertArrayEquals(lost, sorted(ring.tokensOf(winner)));
            assertEquals(LifecycleCluster.VNODES, ring.tokensOf(loser).length);
            assertTrue(Arrays.stream(ring.tokensOf(loser)).noneMatch(t -> Arrays.binarySearch(lost, t) >= 0));
        }
    }

    @Test
    void aFailedStreamingSessionIsReportedInEveryMoveOfTheNode() {
        // the count of failures reported ran over the node's life while the mover's restarts with each move: a
        // leave after a join kept quiet about as many failures as the join had
        LifecycleCluster cluster = new LifecycleCluster(3, LOSS).moves(2, 4, 0.0);
        cluster.addAll(3);
        cluster.awaitSettled(300, List.of());
        NodeId node = cluster.add(null);
        cluster.awaitSettled(300, List.of());
        assertTrue(cluster.lifecycle(node).decommission().startsWith("decommissioning"));
        assertTrue(cluster.simulation().runUntil(cluster.lifecycle(node)::hasLeft, 300 * LifecycleCluster.INTERVAL),
            cluster.events(node));
        long moves = cluster.moves().stream().filter(m -> m.node.equals(node)).count();
        long reported = cluster.events(node).lines().filter(line -> line.contains("a streaming session failed"))
            .count();
        assertTrue(moves >= 2, "a join and a leave: " + moves);
        assertEquals(moves, reported, cluster.events(node));
    }

    @Test
    void whenEveryNodeIsLeavingNoneLeavesWithoutHandingItsRangesToOneThatStays() {
        // two decommissions in one round each saw the other NORMAL: with both leaving, no move had a receiver, and
        // both left having sent nothing, every record gone
        LifecycleCluster cluster = new LifecycleCluster(7, 0).moves(1, 2, 0.0);
        List<NodeId> ids = cluster.addAll(2);
        cluster.awaitSettled(300, List.of());
        for (NodeId id : ids) {
            assertTrue(cluster.lifecycle(id).decommission().startsWith("decommissioning"));
        }
        cluster.runRounds(100);
        for (NodeId id : ids) {
            assertFalse(cluster.lifecycle(id).hasLeft(), cluster.events(id));
            assertEquals(NodeStatus.LEAVING, cluster.lifecycle(id).gossiper().self().status());
            assertTrue(cluster.events(id).contains("every node of the ring is leaving"), cluster.events(id));
        }
        assertTrue(cluster.moves().stream().noneMatch(m -> m.move.direction() == RangeMover.Direction.SEND),
            "a move with nobody to send to");
        // one restarted comes back NORMAL and keeps the data: the other then hands its ranges over and leaves
        cluster.simulation().crash(ids.get(0));
        cluster.simulation().restart(ids.get(0));
        assertTrue(cluster.simulation().runUntil(cluster.lifecycle(ids.get(1))::hasLeft,
            300 * LifecycleCluster.INTERVAL), cluster.events(ids.get(1)));
        assertTrue(cluster.moves().stream().anyMatch(m -> m.node.equals(ids.get(1)) && m.finishedAt >= 0
            && m.move.direction() == RangeMover.Direction.SEND), "left without moving its ranges");
    }

    @Test
    void nodesCutOffFromEachOtherWhileBothLeaveDoNotLeaveWhenTheirMovesArePlannedAgainWithNobodyToKeepTheData() {
        // each planned its leave with the other still NORMAL, streamed to it, heard it was leaving meanwhile, and
        // planned the move again against an empty future ring: no session, and both left
        LifecycleCluster cluster = new LifecycleCluster(7, 0).moves(1, 2, 0.0);
        List<NodeId> ids = cluster.addAll(2);
        cluster.awaitSettled(300, List.of());
        cluster.moves(20, 20, 0.0);
        cluster.simulation().network().partition(List.of(ids.get(0)), List.of(ids.get(1)));
        for (NodeId id : ids) {
            assertTrue(cluster.lifecycle(id).decommission().startsWith("decommissioning"));
        }
        cluster.runRounds(10);
        cluster.simulation().network().heal();
        cluster.runRounds(100);
        for (NodeId id : ids) {
            assertFalse(cluster.lifecycle(id).hasLeft(), cluster.events(id));
            assertTrue(cluster.events(id).contains("every node of the ring is leaving"), cluster.events(id));
        }
    }

    @Test
    void aNodeIsNotDecommissionedWhileEveryOtherNodeIsLeaving() {
        LifecycleCluster cluster = new LifecycleCluster(9, 0).moves(1, 2, 0.0);
        List<NodeId> ids = cluster.addAll(2);
        cluster.awaitSettled(300, List.of());
        // a leave that stays under way for the rest of the test
        cluster.moves(400, 400, 0.0);
        assertTrue(cluster.lifecycle(ids.get(0)).decommission().startsWith("decommissioning"));
        assertTrue(cluster.simulation().runUntil(() -> !cluster.lifecycle(ids.get(1)).futureRing()
            .contains(ids.get(0)), 50 * LifecycleCluster.INTERVAL));
        KvException refused = assertThrows(KvException.class, cluster.lifecycle(ids.get(1))::decommission);
        assertTrue(refused.getMessage().contains("every other node of the ring is leaving"), refused.getMessage());
        assertEquals(NodeStatus.NORMAL, cluster.lifecycle(ids.get(1)).gossiper().self().status());
    }

    /**
     * The nodes a join takes ranges from keep their records until a cleanup: each announces leftovers from the
     * moment the join shows in its rings, every node learns who holds them (so that purges wait for them), a restart
     * keeps the mark, and a cleanup on the settled ring clears it everywhere. The joiner, which only gains, holds
     * none.
     */
    @Test
    void theNodesAJoinTakesRangesFromAnnounceLeftoversUntilACleanupOnTheSettledRing() {
        SimulationSeeds.run(getClass(), "theNodesAJoinTakesRangesFromAnnounceLeftoversUntilACleanupOnTheSettledRing",
            MODULE, 10, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(1, 4, 0.0);
                // with N=3, each of three nodes replicates every range: forming the cluster takes none from anyone
                List<NodeId> members = cluster.addAll(3);
                cluster.awaitSettled(300, List.of());
                // each node's judgment of the last ring takes a round or more to reach every other
                cluster.runRounds(10);
                for (NodeId id : members) {
                    assertEquals(List.of(), cluster.holders(id), "nodes that started together lost"
                        + " nothing, as seen by " + id);
                }
                Ring before = cluster.lifecycle(members.get(0)).ring();
                NodeId joiner = cluster.add(null);
                // seen in the future ring already, while the move holds every purge
                assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(members.get(0)).futureRing()
                    .contains(joiner), 300 * LifecycleCluster.INTERVAL));
                Ring future = cluster.lifecycle(members.get(0)).futureRing();
                List<NodeId> losers = members.stream().filter(id -> Ring.losesRanges(id, future, before)).toList();
                assertFalse(losers.isEmpty(), "a join of a fourth node with N=3 takes ranges from someone");
                assertTrue(cluster.simulation().runUntil(() -> losers.stream()
                    .allMatch(id -> cluster.leftovers(id).held()), 20 * LifecycleCluster.INTERVAL),
                    "not marked while the join was under way");
                cluster.awaitSettled(300, List.of());
                cluster.runRounds(10);
                for (NodeId id : cluster.upIds()) {
                    assertEquals(losers, cluster.holders(id), "holders as " + id + " sees them");
                }
                assertFalse(cluster.leftovers(joiner).held(), "the joiner only gained ranges");
                // a restart keeps the mark
                NodeId restarted = losers.get(0);
                cluster.rememberView(restarted);
                cluster.simulation().crash(restarted);
                cluster.simulation().restart(restarted);
                assertTrue(cluster.leftovers(restarted).held(), "the restart forgot its leftovers");
                cluster.awaitSettled(300, List.of());
                // cleanups on the settled ring clear the marks, on every node's view
                for (NodeId id : losers) {
                    NodeLifecycle lifecycle = cluster.lifecycle(id);
                    Leftovers marks = cluster.leftovers(id);
                    assertFalse(marks.cleaned(before, marks.epoch(), lifecycle.ring(), lifecycle.futureRing()),
                        "a cleanup against a ring older than the join dropped too little");
                    assertFalse(marks.cleaned(lifecycle.ring(), marks.epoch() - 1, lifecycle.ring(),
                        lifecycle.futureRing()), "a cleanup the ring changed under (and back) may have missed some");
                    assertTrue(cluster.cleanedNow(id));
                }
                cluster.runRounds(10);
                for (NodeId id : cluster.upIds()) {
                    assertEquals(List.of(), cluster.holders(id), "holders as " + id + " sees them");
                }
                assertHistory(cluster);
            });
    }

    /**
     * A node down while a join takes ranges from it cannot mark itself: every node counts it as a holder anyway, as
     * it has not judged the ring they hold, until it is back, judges the ring (and marks itself) and cleans up.
     */
    @Test
    void aNodeDownWhileAJoinTakesItsRangesCountsAsAHolderUntilItIsBackAndCleanedUp() {
        SimulationSeeds.run(getClass(), "aNodeDownWhileAJoinTakesItsRangesCountsAsAHolder", MODULE, 5, seed -> {
            LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(1, 4, 0.0);
            List<NodeId> members = cluster.addAll(3);
            cluster.awaitSettled(300, List.of());
            NodeId down = members.get(2);
            Ring before = cluster.lifecycle(members.get(0)).ring();
            cluster.rememberView(down);
            cluster.simulation().crash(down);
            NodeId joiner = cluster.add(null);
            assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(members.get(0)).ring().contains(joiner),
                600 * LifecycleCluster.INTERVAL), "the join never finished with a node down");
            cluster.runRounds(10);
            Ring after = cluster.lifecycle(members.get(0)).ring();
            for (NodeId id : cluster.upIds()) {
                assertTrue(cluster.holders(id).contains(down), id + " does not count the node that was down: "
                    + cluster.holders(id));
            }
            cluster.simulation().restart(down);
            cluster.awaitSettled(300, List.of());
            cluster.runRounds(10);
            assertEquals(Ring.losesRanges(down, after, before), cluster.leftovers(down).held(),
                "the node back judged the join");
            if (cluster.leftovers(down).held()) {
                assertTrue(cluster.holders(members.get(0)).contains(down));
                assertTrue(cluster.cleanedNow(down));
                cluster.runRounds(10);
            }
            for (NodeId id : cluster.upIds()) {
                assertFalse(cluster.holders(id).contains(down), id + " still counts it after it judged and cleaned");
            }
        });
    }

    /**
     * Random joins, decommissions, crashes with restarts, removals of a crashed node that is then started again on
     * its data, and cleanups under message loss. After each settles, every node that may hold records of ranges it no
     * longer replicates, by a model independent of the nodes' own judgment (every ring any node's view held since its
     * last cleanup or drop), counts as a holder on every node; a removed node started again dropped its records
     * while it hid and joined as a new node.
     */
    @Test
    void everyNodeThatMayHoldRecordsOfRangesItLostCountsAsAHolderEverywhere() {
        SimulationSeeds.run(getClass(), "everyNodeThatMayHoldRecordsOfRangesItLostCountsAsAHolderEverywhere", MODULE,
            8, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(1, 4, 0.2);
                cluster.addAll(3);
                cluster.awaitSettled(300, List.of());
                java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                List<NodeId> gone = new java.util.ArrayList<>();
                for (int step = 0; step < 8; step++) {
                    List<NodeId> up = cluster.upIds().stream().filter(id -> !gone.contains(id)).toList();
                    int action = random.nextInt(5);
                    String did;
                    if (action == 0 || up.size() <= 3) {
                        did = "join of " + cluster.add(null);
                    } else if (action == 1) {
                        NodeId leaving = up.get(random.nextInt(up.size()));
                        assertTrue(cluster.lifecycle(leaving).decommission().startsWith("decommissioning"));
                        assertTrue(cluster.simulation().runUntil(cluster.lifecycle(leaving)::hasLeft,
                            600 * LifecycleCluster.INTERVAL), "never left: " + leaving);
                        gone.add(leaving);
                        did = "decommission of " + leaving;
                    } else if (action == 2) {
                        NodeId restarted = up.get(random.nextInt(up.size()));
                        cluster.rememberView(restarted);
                        cluster.simulation().crash(restarted);
                        cluster.runRounds(random.nextInt(20));
                        cluster.simulation().restart(restarted);
                        did = "restart of " + restarted;
                    } else if (action == 4) {
                        NodeId removed = up.get(random.nextInt(up.size()));
                        List<NodeId> others = up.stream().filter(id -> !id.equals(removed)).toList();
                        cluster.rememberView(removed);
                        cluster.simulation().crash(removed);
                        awaitJudgedDown(cluster, removed, others);
                        cluster.lifecycle(others.get(random.nextInt(others.size()))).gossiper().removeNode(removed);
                        cluster.runRounds(5 + random.nextInt(20));
                        long dropsBefore = cluster.drops().stream().filter(d -> d.node().equals(removed)).count();
                        cluster.simulation().restart(removed);
                        cluster.awaitSettled(600, gone);
                        assertEquals(dropsBefore + 1, cluster.drops().stream().filter(d -> d.node().equals(removed))
                            .filter(LifecycleCluster.Drop::hiddenThen).count(), "step " + step + ": " + removed
                            + " did not drop its records while it hid:\n" + cluster.events(removed));
                        // (as a new node it may pick its old tokens again: the allocator is deterministic; it
                        // joined by a move all the same, which assertHistory checks)
                        did = "removal of " + removed + ", started again on its data";
                    } else {
                        NodeId cleaned = up.get(random.nextInt(up.size()));
                        cluster.cleanedNow(cleaned);
                        did = "cleanup on " + cleaned;
                    }
                    cluster.awaitSettled(600, gone);
                    cluster.runRounds(10);
                    Ring ring = cluster.lifecycle(cluster.upIds().stream().filter(id -> !gone.contains(id))
                        .findFirst().orElseThrow()).ring();
                    List<NodeId> must = cluster.mayHoldLeftovers(ring);
                    for (NodeId id : must) {
                        assertTrue(gone.contains(id) || cluster.leftovers(id).held(), "step " + step + " (" + did
                            + "): " + id + " may hold leftovers but has not marked itself");
                    }
                    for (NodeId id : cluster.upIds()) {
                        if (gone.contains(id)) {
                            continue;
                        }
                        assertTrue(cluster.holders(id).containsAll(must), "step " + step + " (" + did + "): "
                            + id + " counts " + cluster.holders(id) + " but " + must + " may hold leftovers");
                    }
                }
                assertHistory(cluster);
            });
    }

    /** A leaving node marks itself from LEAVING on; once it has LEFT, it no longer holds anyone's purges. */
    @Test
    void aLeavingNodeHoldsLeftoversUntilItHasLeft() {
        LifecycleCluster cluster = new LifecycleCluster(41, LOSS).moves(1, 4, 0.0);
        List<NodeId> ids = cluster.addAll(4);
        cluster.awaitSettled(300, List.of());
        NodeId leaving = ids.get(1);
        NodeLifecycle lifecycle = cluster.lifecycle(leaving);
        assertTrue(lifecycle.decommission().startsWith("decommissioning"));
        assertTrue(cluster.leftovers(leaving).held(), "LEAVING takes every range from it");
        assertTrue(cluster.simulation().runUntil(() -> cluster.holders(ids.get(0)).contains(leaving),
            20 * LifecycleCluster.INTERVAL), "the others never saw its mark");
        assertTrue(cluster.simulation().runUntil(lifecycle::hasLeft, 300 * LifecycleCluster.INTERVAL));
        cluster.awaitSettled(100, List.of(leaving));
        for (NodeId id : cluster.upIds()) {
            assertFalse(cluster.holders(id).contains(leaving), id + " still counts the node that left");
        }
    }

    @Test
    void aDecommissionedNodeIsLeftAndInNoRingOnlyAfterItsRangesMoved() {
        SimulationSeeds.run(getClass(), "aDecommissionedNodeIsLeftAndInNoRingOnlyAfterItsRangesMoved", MODULE, 20,
            seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(1, 6, 0.3);
                List<NodeId> ids = cluster.addAll(5);
                cluster.awaitSettled(500, List.of());
                NodeId leaving = ids.get((int) (seed % ids.size()));
                NodeLifecycle lifecycle = cluster.lifecycle(leaving);
                assertTrue(lifecycle.decommission().startsWith("decommissioning"));
                assertThrows(KvException.class, lifecycle::decommission, "decommissioned twice");
                assertTrue(cluster.simulation().runUntil(lifecycle::hasLeft, 300 * LifecycleCluster.INTERVAL),
                    "never left (seed " + seed + ")\n" + cluster.events(leaving));
                assertEquals(NodeStatus.LEFT, lifecycle.gossiper().self().status());
                assertEquals(0, cluster.stored(leaving).length, "a restart would bring its tokens back");
                cluster.awaitSettled(100, List.of(leaving));
                for (NodeId id : cluster.upIds()) {
                    assertFalse(cluster.lifecycle(id).ring().contains(leaving), id + " still has it in its ring");
                    assertFalse(cluster.lifecycle(id).futureRing().contains(leaving), id + " future ring");
                }
                assertTrue(cluster.moves().stream().anyMatch(m -> m.node.equals(leaving) && m.finishedAt >= 0
                    && m.move.direction() == RangeMover.Direction.SEND), "left without moving its ranges");
                assertHistory(cluster);
            });
    }

    @Test
    void aJoinerCrashedMidMoveRestartsWithTheSameTokensAndMovesAgain() {
        SimulationSeeds.run(getClass(), "aJoinerCrashedMidMoveRestartsWithTheSameTokensAndMovesAgain", MODULE, 10,
            seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(6, 10, 0.0);
                cluster.addAll(3);
                cluster.awaitSettled(300, List.of());
                NodeId joiner = cluster.add(null);
                assertTrue(cluster.simulation().runUntil(() -> cluster.moves().stream()
                    .anyMatch(m -> m.node.equals(joiner)), 100 * LifecycleCluster.INTERVAL), "never moved");
                long[] pending = sorted(cluster.lifecycle(joiner).gossiper().self().tokens());
                assertEquals(NodeStatus.JOINING, cluster.lifecycle(joiner).gossiper().self().status());
                cluster.runRounds(2);
                cluster.simulation().crash(joiner);
                cluster.runRounds(5);
                assertEquals(0, cluster.stored(joiner).length, "stored its tokens before its move finished");
                cluster.simulation().restart(joiner);
                cluster.awaitSettled(300, List.of());
                assertArrayEquals(pending, sorted(cluster.lifecycle(joiner).gossiper().self().tokens()),
                    "picked other tokens after the restart");
                assertArrayEquals(pending, sorted(cluster.stored(joiner)));
                assertTrue(cluster.moves().stream().anyMatch(m -> m.node.equals(joiner) && m.incarnation == 2
                    && m.finishedAt >= 0), "did not move again after the restart");
                assertTrue(cluster.moves().stream().noneMatch(m -> m.node.equals(joiner) && m.incarnation == 1
                    && m.finishedAt >= 0), "the first move was meant to be cut short");
                assertHistory(cluster);
            });
    }

    @Test
    void aMemberBackWithoutItsDataRefusesToJoinUntilItsIdIsRemovedAndOneRestartedOnItsDataJoinsAtOnce() {
        SimulationSeeds.run(getClass(),
            "aMemberBackWithoutItsDataRefusesToJoinUntilItsIdIsRemovedAndOneRestartedOnItsDataJoinsAtOnce",
            MODULE, 5, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId restarted = members.get(0);
                cluster.simulation().crash(restarted);
                cluster.runRounds(5);
                cluster.simulation().restart(restarted);
                cluster.awaitSettled(300, List.of());
                for (NodeId member : members) {
                    assertEquals(0, backWithoutTokens(cluster, member), "a restart on its data reported on " + member);
                    assertNull(cluster.lifecycle(member).refusal(), member + ":\n" + cluster.events(member));
                }
                // its data directory lost: it refuses to join, and the others keep it as a DOWN member of their
                // rings, with its tokens, for as long as it does
                NodeId wiped = members.get(1);
                NodeId away = members.get(3);
                long[] tokens = sorted(cluster.lifecycle(wiped).gossiper().self().tokens());
                crashWipeAndAwaitDown(cluster, members, wiped);
                cluster.simulation().restart(wiped);
                cluster.runRounds(30);
                NodeLifecycle refusing = cluster.lifecycle(wiped);
                assertNotNull(refusing.refusal(), cluster.events(wiped));
                assertTrue(refusing.refusal().contains("ringkv removenode " + wiped), refusing.refusal());
                assertTrue(cluster.events(wiped).contains("ERROR: refusing to join: node " + wiped + " was a member"
                    + " of the ring with " + tokens.length + " tokens"), cluster.events(wiped));
                assertEquals(1, refusing.counters().value(io.ringkv.gossip.LifecycleCounter.JOIN_REFUSED));
                assertEquals(NodeStatus.JOINING, refusing.gossiper().self().status());
                assertEquals(0, refusing.gossiper().self().tokenCount(), "picked tokens while refusing");
                for (NodeId member : members) {
                    if (!member.equals(wiped)) {
                        NodeLifecycle lifecycle = cluster.lifecycle(member);
                        assertArrayEquals(tokens, sorted(lifecycle.ring().tokensOf(wiped)), member
                            + " changed the wiped node's tokens:\n" + cluster.events(member));
                        assertEquals(NodeStatus.NORMAL, lifecycle.gossiper().state(wiped).status());
                        assertFalse(lifecycle.gossiper().isAlive(wiped), member + " took the refusing node for up");
                        assertEquals(0, backWithoutTokens(cluster, member), cluster.events(member));
                    }
                }
                // an operator removes its id while one member is cut off: it joins as a new node, and the member
                // that missed the removal and the join sees it NORMAL with other tokens, and says so
                List<NodeId> rest = new java.util.ArrayList<>(members);
                rest.remove(away);
                cluster.simulation().network().partition(List.of(away), rest);
                cluster.lifecycle(members.get(2)).gossiper().removeNode(wiped);
                assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(wiped).gossiper().self().status()
                    == NodeStatus.NORMAL, 300 * LifecycleCluster.INTERVAL), cluster.events(wiped));
                assertNull(refusing.refusal());
                assertEquals(0, refusing.counters().value(io.ringkv.gossip.LifecycleCounter.JOIN_REFUSED));
                assertTrue(cluster.events(wiped).contains("node " + wiped + " was removed from the cluster: joining"
                    + " as a new node"), cluster.events(wiped));
                cluster.runRounds(5);
                cluster.simulation().network().heal();
                cluster.awaitSettled(300, List.of());
                for (NodeId member : members) {
                    if (!member.equals(wiped) && !member.equals(away)) {
                        assertEquals(0, backWithoutTokens(cluster, member), member + ":\n" + cluster.events(member));
                    }
                }
                assertEquals(1, backWithoutTokens(cluster, away), cluster.events(away));
                assertTrue(cluster.events(away).contains("WARNING: node " + wiped + " is back"), cluster.events(away));
                assertTrue(cluster.events(away).contains("this node missed its removal and its join"),
                    cluster.events(away));
                assertHistory(cluster);
            });
    }

    @Test
    void aMemberRemovedWhileItWasDownAndStartedAgainOnItsDataDropsItsRecordsAndJoinsAsANewNode() {
        SimulationSeeds.run(getClass(),
            "aMemberRemovedWhileItWasDownAndStartedAgainOnItsDataDropsItsRecordsAndJoinsAsANewNode", MODULE, 6,
            seed -> {
                // even seeds: started again while the members still gossip its removal; odd: after they forgot it
                boolean afterQuarantine = seed % 2 == 1;
                int quarantine = 40;
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0).quarantine(quarantine);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId removed = members.get(1);
                long[] oldTokens = sorted(cluster.lifecycle(removed).gossiper().self().tokens());
                // its peers file holds the view of its last run, as it would
                cluster.rememberView(removed);
                cluster.simulation().crash(removed);
                List<NodeId> rest = members.stream().filter(id -> !id.equals(removed)).toList();
                awaitJudgedDown(cluster, removed, rest);
                cluster.lifecycle(rest.get(0)).gossiper().removeNode(removed);
                cluster.awaitSettled(300, List.of());
                cluster.runRounds(afterQuarantine ? quarantine + 10 : 5);
                for (NodeId member : rest) {
                    io.ringkv.gossip.EndpointState held = cluster.lifecycle(member).gossiper().state(removed);
                    if (afterQuarantine) {
                        assertNull(held, member + " did not forget the removed node");
                    } else {
                        assertEquals(NodeStatus.LEFT, held.status(), member + ":\n" + cluster.events(member));
                    }
                }
                cluster.simulation().restart(removed);
                long generation = cluster.lifecycle(removed).gossiper().self().generation();
                // no member ever takes its new run for a member with the old tokens (its old records would serve)
                List<String> seenWithOldTokens = new java.util.ArrayList<>();
                assertTrue(cluster.simulation().runUntil(() -> {
                    for (NodeId member : rest) {
                        io.ringkv.gossip.EndpointState held = cluster.lifecycle(member).gossiper().state(removed);
                        if (held != null && held.generation() == generation && held.tokenCount() > 0
                            && Arrays.equals(sorted(held.tokens()), oldTokens)) {
                            seenWithOldTokens.add(member + " at " + cluster.simulation().now());
                        }
                    }
                    return cluster.lifecycle(removed).gossiper().self().status() == NodeStatus.NORMAL;
                }, 300 * LifecycleCluster.INTERVAL), cluster.events(removed));
                assertEquals(List.of(), seenWithOldTokens, cluster.events(removed));
                cluster.awaitSettled(300, List.of());
                NodeLifecycle back = cluster.lifecycle(removed);
                assertTrue(cluster.events(removed).contains("node " + removed + " was removed from the cluster while"
                    + " it was down"), cluster.events(removed));
                assertEquals(1, back.counters().value(io.ringkv.gossip.LifecycleCounter.REMOVED_WHILE_DOWN));
                // its records were dropped once, while it hid, after its old tokens were forgotten for good
                List<LifecycleCluster.Drop> drops = cluster.drops().stream()
                    .filter(drop -> drop.node().equals(removed)).toList();
                assertEquals(1, drops.size(), cluster.events(removed));
                assertTrue(drops.get(0).hiddenThen(), "dropped after it showed itself");
                assertEquals(0, drops.get(0).storedThen().length, "dropped before its old tokens were forgotten");
                // and it joined as a new node: other tokens, by a move (assertHistory), and no member reports a
                // member back without its tokens (they knew of the removal, or had forgotten the node)
                long[] newTokens = sorted(back.gossiper().self().tokens());
                assertFalse(Arrays.equals(oldTokens, newTokens), "rejoined with its old tokens");
                assertArrayEquals(newTokens, sorted(cluster.stored(removed)));
                for (NodeId member : members) {
                    assertEquals(0, backWithoutTokens(cluster, member), member + ":\n" + cluster.events(member));
                    assertArrayEquals(newTokens, sorted(cluster.lifecycle(member).ring().tokensOf(removed)),
                        member.toString());
                }
                assertFalse(cluster.leftovers(removed).held(), cluster.events(removed));
                assertFalse(cluster.mayHoldLeftovers(back.ring()).contains(removed), cluster.events(removed));
                assertHistory(cluster);
            });
    }

    @Test
    void aLeftStateFromBeforeANodeJoinedAgainDoesNotMakeItDropItsRecords() {
        SimulationSeeds.run(getClass(), "aLeftStateFromBeforeANodeJoinedAgainDoesNotMakeItDropItsRecords", MODULE, 3,
            seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId node = members.get(3);
                NodeId stale = members.get(1);
                // it leaves; a member that remembers it LEFT goes down before it joins again as a new node
                assertTrue(cluster.lifecycle(node).decommission().startsWith("decommissioning"));
                assertTrue(cluster.simulation().runUntil(cluster.lifecycle(node)::hasLeft,
                    300 * LifecycleCluster.INTERVAL), cluster.events(node));
                assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(stale).gossiper().state(node)
                    .status() == NodeStatus.LEFT, 60 * LifecycleCluster.INTERVAL), cluster.events(stale));
                long leftGeneration = cluster.lifecycle(stale).gossiper().state(node).generation();
                cluster.rememberView(stale);
                cluster.simulation().crash(stale);
                cluster.simulation().crash(node);
                cluster.simulation().restart(node);
                // (the member that went down stays on every ring, DOWN)
                assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(node).gossiper().self().status()
                    == NodeStatus.NORMAL, 300 * LifecycleCluster.INTERVAL), cluster.events(node));
                long[] tokens = sorted(cluster.lifecycle(node).gossiper().self().tokens());
                assertEquals(LifecycleCluster.VNODES, tokens.length, cluster.events(node));
                // the first word the node hears of its id is the LEFT state of its run before it joined again
                cluster.simulation().crash(node);
                restartCutOffWithAStaleMember(cluster, members, node, stale,
                    earlier -> earlier.status() == NodeStatus.LEFT && earlier.generation() == leftGeneration);
                // it waits instead, hears its NORMAL run once the cut heals, and rejoins with its tokens
                cluster.simulation().network().heal();
                cluster.awaitSettled(300, List.of());
                assertArrayEquals(tokens, sorted(cluster.lifecycle(node).gossiper().self().tokens()),
                    cluster.events(node));
                assertTrue(cluster.drops().isEmpty(), "dropped its records:\n" + cluster.events(node));
                assertEquals(0, cluster.lifecycle(node).counters()
                    .value(io.ringkv.gossip.LifecycleCounter.REMOVED_WHILE_DOWN));
                assertHistory(cluster);
            });
    }

    @Test
    void aMemberStateFromBeforeANodeJoinedAgainDoesNotMakeItRejoinWhenItWasRemovedSince() {
        SimulationSeeds.run(getClass(), "aMemberStateFromBeforeANodeJoinedAgainDoesNotMakeItRejoinWhenItWasRemovedSince",
            MODULE, 3, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId node = members.get(3);
                NodeId stale = members.get(1);
                long firstGeneration = cluster.lifecycle(node).gossiper().self().generation();
                // a member goes down remembering the node as it was; the node leaves, joins again, goes down, and
                // the others remove it
                cluster.rememberView(stale);
                cluster.simulation().crash(stale);
                assertTrue(cluster.lifecycle(node).decommission().startsWith("decommissioning"));
                assertTrue(cluster.simulation().runUntil(cluster.lifecycle(node)::hasLeft,
                    300 * LifecycleCluster.INTERVAL), cluster.events(node));
                cluster.simulation().crash(node);
                cluster.simulation().restart(node);
                assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(node).gossiper().self().status()
                    == NodeStatus.NORMAL, 300 * LifecycleCluster.INTERVAL), cluster.events(node));
                cluster.simulation().crash(node);
                List<NodeId> rest = members.stream().filter(id -> !id.equals(node) && !id.equals(stale)).toList();
                awaitJudgedDown(cluster, node, rest);
                cluster.lifecycle(rest.get(0)).gossiper().removeNode(node);
                assertTrue(cluster.simulation().runUntil(() -> rest.stream().allMatch(id -> cluster.lifecycle(id)
                    .gossiper().state(node).status() == NodeStatus.LEFT), 60 * LifecycleCluster.INTERVAL));
                // the first word the node hears of its id is the member state of its run before it left
                restartCutOffWithAStaleMember(cluster, members, node, stale,
                    earlier -> earlier.generation() == firstGeneration);
                // it waits, hears of its removal once the cut heals, drops its records and joins as a new node
                cluster.simulation().network().heal();
                cluster.awaitSettled(300, List.of());
                assertEquals(1, cluster.drops().stream().filter(drop -> drop.node().equals(node)).count(),
                    cluster.events(node));
                assertEquals(1, cluster.lifecycle(node).counters()
                    .value(io.ringkv.gossip.LifecycleCounter.REMOVED_WHILE_DOWN));
                assertHistory(cluster);
            });
    }

    /** Waits until none of {@code others} holds the crashed {@code node} alive (60 rounds at most). */
    private static void awaitJudgedDown(LifecycleCluster cluster, NodeId node, List<NodeId> others) {
        assertTrue(cluster.simulation().runUntil(() -> others.stream()
            .noneMatch(id -> cluster.lifecycle(id).gossiper().isAlive(node)), 60 * LifecycleCluster.INTERVAL),
            "never judged DOWN: " + node);
    }

    /**
     * Starts {@code stale} and {@code node} again (both down), cut off with each other from the other members, until
     * {@code node} heard a state of its id from {@code stale} that {@code heard} accepts; asserts that it still hides
     * three rounds later. The cut is left for the caller to heal.
     */
    private static void restartCutOffWithAStaleMember(LifecycleCluster cluster, List<NodeId> members, NodeId node,
                                                      NodeId stale,
                                                      java.util.function.Predicate<io.ringkv.gossip.EndpointState> heard) {
        List<NodeId> rest = members.stream().filter(id -> !id.equals(node) && !id.equals(stale)).toList();
        cluster.simulation().network().partition(List.of(node, stale), rest);
        cluster.simulation().restart(stale);
        cluster.simulation().restart(node);
        assertTrue(cluster.simulation().runUntil(() -> {
            io.ringkv.gossip.EndpointState earlier = cluster.lifecycle(node).gossiper().earlierSelf();
            return earlier != null && heard.test(earlier);
        }, 10 * LifecycleCluster.INTERVAL), "the stale state never reached it:\n" + cluster.events(node));
        cluster.runRounds(3);
        assertTrue(cluster.lifecycle(node).gossiper().isHidden(), cluster.events(node));
    }

    @Test
    void aWholeClusterRestartedAtOnceWithoutItsRememberedViewsRejoinsWithItsTokensAfterABoundedWait() {
        SimulationSeeds.run(getClass(),
            "aWholeClusterRestartedAtOnceWithoutItsRememberedViewsRejoinsWithItsTokensAfterABoundedWait", MODULE, 3,
            seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0);
                List<NodeId> members = cluster.addAll(3);
                cluster.awaitSettled(300, List.of());
                Ring ring = cluster.lifecycle(members.get(0)).ring();
                for (NodeId member : members) {
                    cluster.simulation().crash(member);
                }
                // each hides and asks; none holds anything of the others, whose states they hide
                for (NodeId member : members) {
                    cluster.simulation().restart(member);
                }
                cluster.awaitSettled(300, List.of());
                for (NodeId member : members) {
                    assertEquals(ring, cluster.lifecycle(member).ring(), cluster.events(member));
                    assertTrue(cluster.events(member).contains("WARNING: no member of the cluster answered about node "
                        + member), cluster.events(member));
                    assertNull(cluster.lifecycle(member).refusal(), cluster.events(member));
                }
                assertTrue(cluster.drops().isEmpty(), "records dropped");
                assertHistory(cluster);
            });
    }

    @Test
    void aMemberRestartedOnItsDataWhileEveryPeerIsDownRejoinsWithItsTokensAfterABoundedWait() {
        SimulationSeeds.run(getClass(), "aMemberRestartedOnItsDataWhileEveryPeerIsDownRejoinsWithItsTokensAfterABoundedWait",
            MODULE, 3, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0);
                List<NodeId> members = cluster.addAll(3);
                cluster.awaitSettled(300, List.of());
                NodeId survivor = members.get(0);
                long[] tokens = sorted(cluster.lifecycle(survivor).gossiper().self().tokens());
                cluster.rememberView(survivor);
                for (NodeId member : members) {
                    cluster.simulation().crash(member);
                }
                cluster.simulation().restart(survivor);
                cluster.runRounds(NodeLifecycle.UNANSWERED_ROUNDS);
                NodeLifecycle alone = cluster.lifecycle(survivor);
                assertTrue(alone.gossiper().isHidden(), cluster.events(survivor));
                // no peer answers: it rejoins with its tokens and serves, rather than wait for them for ever
                cluster.runRounds(5);
                assertFalse(alone.gossiper().isHidden(), cluster.events(survivor));
                assertEquals(NodeStatus.NORMAL, alone.gossiper().self().status());
                assertArrayEquals(tokens, sorted(alone.ring().tokensOf(survivor)));
                assertTrue(cluster.events(survivor).contains("WARNING: no peer answered about node " + survivor),
                    cluster.events(survivor));
                assertNull(alone.refusal());
                assertTrue(cluster.drops().isEmpty(), "its records were dropped");
            });
    }

    @Test
    void aMemberBackWithoutItsDataWaitsForAMembersAnswerAboutItsIdWhenTheFirstAnswersAreLost() {
        SimulationSeeds.run(getClass(), "aMemberBackWithoutItsDataWaitsForAMembersAnswerAboutItsIdWhenTheFirstAnswersAreLost",
            MODULE, 5, seed -> {
                // states of 64 tokens in messages of 1 KiB: an answer to a Syn takes several Acks, each of which
                // may be lost alone
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0).shapes(64, 1024);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId wiped = members.get(3);
                long[] tokens = sorted(cluster.lifecycle(wiped).gossiper().self().tokens());
                crashWipeAndAwaitDown(cluster, members, wiped);
                // for its first rounds back, every Ack that carries its id's earlier state is lost, while the Acks
                // with the other members' states arrive: it has exchanged, and heard nothing of its id
                GossipCodec codec = new GossipCodec(1024);
                long lossEnds = cluster.simulation().now() + 5 * LifecycleCluster.INTERVAL;
                int[] lost = new int[1];
                cluster.simulation().network().dropWhen((from, to, message) -> {
                    if (!to.equals(wiped) || cluster.simulation().now() >= lossEnds
                        || !carriesStateOf(codec, message, wiped)) {
                        return false;
                    }
                    lost[0]++;
                    return true;
                });
                cluster.simulation().restart(wiped);
                cluster.runRounds(30);
                assertTrue(lost[0] > 0, "no answer about the wiped node's id was lost");
                NodeLifecycle refusing = cluster.lifecycle(wiped);
                assertTrue(refusing.gossiper().hasExchangedWithPeer());
                assertNotNull(refusing.refusal(), cluster.events(wiped));
                assertEquals(0, refusing.gossiper().self().tokenCount(), "picked tokens:\n" + cluster.events(wiped));
                for (NodeId member : members) {
                    if (!member.equals(wiped)) {
                        assertArrayEquals(tokens, sorted(cluster.lifecycle(member).ring().tokensOf(wiped)), member
                            + " changed the wiped node's tokens:\n" + cluster.events(member));
                        assertEquals(0, backWithoutTokens(cluster, member), cluster.events(member));
                    }
                }
                assertHistory(cluster);
            });
    }

    @Test
    void aHiddenNodeThatHearsNoMembersAnswerAboutItsIdDecidesOnWhatItHeardAfterABoundedWait() {
        SimulationSeeds.run(getClass(), "aHiddenNodeThatHearsNoMembersAnswerAboutItsIdDecidesOnWhatItHeardAfterABoundedWait",
            MODULE, 3, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0).shapes(64, 1024);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId wiped = members.get(3);
                crashWipeAndAwaitDown(cluster, members, wiped);
                GossipCodec codec = new GossipCodec(1024);
                cluster.simulation().network().dropWhen((from, to, message) -> to.equals(wiped)
                    && carriesStateOf(codec, message, wiped));
                cluster.simulation().restart(wiped);
                cluster.runRounds(NodeLifecycle.UNANSWERED_ROUNDS - 2);
                assertEquals(0, cluster.lifecycle(wiped).gossiper().self().tokenCount(), cluster.events(wiped));
                assertTrue(cluster.lifecycle(wiped).gossiper().isHidden(), cluster.events(wiped));
                // what every peer says of its id stays lost: after a bounded wait it joins on what it heard, and
                // says what that risks; the members see a member back without its tokens, and say so too
                assertTrue(cluster.simulation().runUntil(() -> cluster.lifecycle(wiped).gossiper().self().status()
                    == NodeStatus.NORMAL, 300 * LifecycleCluster.INTERVAL), cluster.events(wiped));
                assertTrue(cluster.events(wiped).contains("WARNING: no member of the cluster answered about node "
                    + wiped), cluster.events(wiped));
                assertNull(cluster.lifecycle(wiped).refusal());
                cluster.simulation().network().dropWhen(null);
                cluster.awaitSettled(300, List.of());
                assertEquals(1, backWithoutTokens(cluster, members.get(0)), cluster.events(members.get(0)));
                assertHistory(cluster);
            });
    }

    private static void crashWipeAndAwaitDown(LifecycleCluster cluster, List<NodeId> members, NodeId wiped) {
        cluster.simulation().crash(wiped);
        cluster.wipe(wiped);
        awaitJudgedDown(cluster, wiped, members.stream().filter(id -> !id.equals(wiped)).toList());
    }

    /** @return whether {@code message} is a gossip Ack carrying a state of {@code node} */
    private static boolean carriesStateOf(GossipCodec codec, byte[] message, NodeId node) {
        UnsafeBuffer buffer = new UnsafeBuffer(message);
        if (codec.templateId(buffer, 0) != AckDecoder.TEMPLATE_ID) {
            return false;
        }
        return codec.readAck(buffer, 0, message.length, 0).states().stream()
            .anyMatch(timed -> timed.state().id().equals(node));
    }

    @Test
    void aNodeThatGaveItsTokensUpOnItsOwnDataIsNotRefusedWhilePeersStillHoldThem() {
        SimulationSeeds.run(getClass(), "aNodeThatGaveItsTokensUpOnItsOwnDataIsNotRefusedWhilePeersStillHoldThem",
            MODULE, 3, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                // stopped right after it forgot the tokens it had handed over (a decommission's or a lost token
                // conflict's last step), before the peers heard: they still hold it as a member with them
                NodeId node = members.get(2);
                cluster.simulation().crash(node);
                cluster.forgetTokens(node);
                cluster.simulation().restart(node);
                cluster.awaitSettled(300, List.of());
                assertNull(cluster.lifecycle(node).refusal(), cluster.events(node));
                assertFalse(cluster.lifecycle(node).gossiper().isHidden());
                assertFalse(cluster.events(node).contains("refusing to join"), cluster.events(node));
                assertHistory(cluster);
            });
    }

    @Test
    void aNodeWhoseClockIsBehindItsIdsEarlierRunRefusesToJoinAndSaysWhy() {
        SimulationSeeds.run(getClass(), "aNodeWhoseClockIsBehindItsIdsEarlierRunRefusesToJoinAndSaysWhy", MODULE, 3,
            seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(2, 4, 0.0);
                List<NodeId> members = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                // its data lost, and its clock an hour behind: its generation is below the one peers hold
                NodeId node = members.get(1);
                long[] tokens = sorted(cluster.lifecycle(node).gossiper().self().tokens());
                cluster.simulation().crash(node);
                cluster.wipe(node);
                cluster.simulation().node(node).clockSkewMillis(-3_600_000);
                cluster.simulation().restart(node);
                cluster.runRounds(20);
                NodeLifecycle refusing = cluster.lifecycle(node);
                assertNotNull(refusing.refusal(), cluster.events(node));
                assertTrue(refusing.refusal().startsWith("refusing to join: peers hold a later run of node " + node),
                    refusing.refusal());
                assertTrue(cluster.events(node).contains("this machine's clock was behind"), cluster.events(node));
                assertEquals(1, refusing.counters().value(io.ringkv.gossip.LifecycleCounter.LATER_RUNS_OF_THIS_ID));
                assertEquals(0, refusing.gossiper().self().tokenCount(), "picked tokens while refusing");
                for (NodeId member : members) {
                    if (!member.equals(node)) {
                        assertArrayEquals(tokens, sorted(cluster.lifecycle(member).ring().tokensOf(node)), member
                            + ":\n" + cluster.events(member));
                    }
                }
                // the clock put right, a restart is refused for the lost data instead
                cluster.simulation().crash(node);
                cluster.simulation().node(node).clockSkewMillis(0);
                cluster.simulation().restart(node);
                cluster.runRounds(20);
                assertNotNull(cluster.lifecycle(node).refusal(), cluster.events(node));
                assertTrue(cluster.lifecycle(node).refusal().startsWith("refusing to join: node " + node
                    + " was a member of the ring"), cluster.lifecycle(node).refusal());
                assertHistory(cluster);
            });
    }

    private static long backWithoutTokens(LifecycleCluster cluster, NodeId member) {
        return cluster.lifecycle(member).counters()
            .value(io.ringkv.gossip.LifecycleCounter.MEMBERS_BACK_WITHOUT_TOKENS);
    }

    @Test
    void aReplacementTakesTheDeadNodesTokensAndTheDeadNodeLeavesEveryRing() {
        SimulationSeeds.run(getClass(), "aReplacementTakesTheDeadNodesTokensAndTheDeadNodeLeavesEveryRing", MODULE,
            25, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(1, 6, 0.3);
                List<NodeId> ids = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId dead = ids.get(3);
                long[] tokens = sorted(cluster.lifecycle(dead).gossiper().self().tokens());
                // forming the cluster past N took ranges from its first nodes: cleaned up, no one holds leftovers
                for (NodeId id : ids) {
                    if (cluster.leftovers(id).held()) {
                        assertTrue(cluster.cleanedNow(id));
                    }
                }
                cluster.runRounds(10);
                assertEquals(List.of(), cluster.holders(ids.get(0)), "holders before the replacement");
                cluster.simulation().crash(dead);
                awaitJudgedDown(cluster, dead, cluster.upIds());
                NodeId replacement = cluster.add(dead);
                cluster.awaitSettled(300, List.of());
                // a replacement takes the dead node's ranges exactly: it gains only, and no other node loses any
                cluster.runRounds(10);
                for (NodeId id : cluster.upIds()) {
                    assertEquals(List.of(), cluster.holders(id), "holders after a replacement, as " + id + " sees them");
                }
                assertArrayEquals(tokens, sorted(cluster.lifecycle(replacement).gossiper().self().tokens()));
                assertArrayEquals(tokens, sorted(cluster.stored(replacement)));
                for (NodeId id : cluster.upIds()) {
                    assertFalse(cluster.lifecycle(id).ring().contains(dead), id + " still has the dead node");
                }
                List<LifecycleCluster.MoveRecord> moves = cluster.moves().stream()
                    .filter(m -> m.node.equals(replacement)).toList();
                assertFalse(moves.isEmpty(), "replaced without moving data");
                assertTrue(moves.stream().allMatch(m -> m.move.skip().contains(dead)),
                    "asked the dead node for data: " + moves);
                assertHistory(cluster);
            });
    }

    @Test
    void aReplacementInAnotherRackWaitsAndSaysWhyInsteadOfTakingTheDeadNodesTokens() {
        // replicas are spread over racks: the dead node's tokens in another rack would change other nodes' ranges
        // too, and only the replacement's own ranges are streamed
        LifecycleCluster cluster = new LifecycleCluster(5, LOSS).moves(1, 6, 0.0);
        List<NodeId> ids = cluster.addAll(4);
        cluster.awaitSettled(300, List.of());
        NodeId dead = ids.get(3);
        cluster.simulation().crash(dead);
        awaitJudgedDown(cluster, dead, cluster.upIds());
        NodeId replacement = cluster.add(dead, "rack2");
        cluster.runRounds(100);
        assertEquals(0, cluster.lifecycle(replacement).gossiper().self().tokens().length, "took the tokens");
        assertTrue(cluster.events(replacement).contains("waiting to replace " + dead + ": " + dead
            + " was in zone1/rack1 and this node is in zone1/rack2; a replacement must take the dead node's zone and"
            + " rack"), cluster.events(replacement));
        for (NodeId id : ids.subList(0, 3)) {
            assertTrue(cluster.lifecycle(id).ring().contains(dead), id + " lost the dead node's ranges");
        }
    }

    @Test
    void aReplacementBecomesNormalWhenAnOperatorRemovedTheDeadNodeWhileItStreamed() {
        SimulationSeeds.run(getClass(), "aReplacementBecomesNormalWhenAnOperatorRemovedTheDeadNodeWhileItStreamed",
            MODULE, 10, seed -> {
                LifecycleCluster cluster = new LifecycleCluster(seed, LOSS).moves(6, 10, 0.0);
                List<NodeId> ids = cluster.addAll(4);
                cluster.awaitSettled(300, List.of());
                NodeId dead = ids.get(3);
                long[] tokens = sorted(cluster.lifecycle(dead).gossiper().self().tokens());
                cluster.simulation().crash(dead);
                awaitJudgedDown(cluster, dead, cluster.upIds());
                NodeId replacement = cluster.add(dead);
                assertTrue(cluster.simulation().runUntil(() -> cluster.moves().stream()
                    .anyMatch(m -> m.node.equals(replacement)), 100 * LifecycleCluster.INTERVAL), "never moved");
                // the operator removes the dead node by hand while the replacement still receives its ranges
                cluster.lifecycle(ids.get(0)).gossiper().removeNode(dead);
                cluster.awaitSettled(300, List.of());
                assertArrayEquals(tokens, sorted(cluster.lifecycle(replacement).gossiper().self().tokens()));
                assertArrayEquals(tokens, sorted(cluster.stored(replacement)));
                assertHistory(cluster);
            });
    }

    /** The invariants over the whole history of a run (see the class comment). */
    private static void assertHistory(LifecycleCluster cluster) {
        assertTrue(cluster.violations().isEmpty(), String.join("\n", cluster.violations()));
        List<LifecycleCluster.Announcement> all = cluster.announcements();
        for (LifecycleCluster.Announcement normal : all) {
            if (normal.status() == NodeStatus.NORMAL && !normal.ringWasEmpty()) {
                LifecycleCluster.Announcement pending = last(all, normal, NodeStatus.JOINING);
                assertNotNull(pending, normal.node() + " became NORMAL without announcing pending tokens");
                assertArrayEquals(sorted(pending.tokens()), sorted(normal.tokens()),
                    normal.node() + " became NORMAL with other tokens than it announced pending");
                assertTrue(finishedBetween(cluster, normal, pending.at(), RangeMover.Direction.RECEIVE),
                    normal.node() + " became NORMAL at " + normal.at() + " without a finished move since "
                        + pending.at() + ": " + cluster.moves());
            }
            if (normal.status() == NodeStatus.LEFT) {
                LifecycleCluster.Announcement leaving = last(all, normal, NodeStatus.LEAVING);
                assertNotNull(leaving, normal.node() + " left without LEAVING");
                assertTrue(finishedBetween(cluster, normal, leaving.at(), RangeMover.Direction.SEND),
                    normal.node() + " left before its ranges moved");
            }
        }
        long announceToMove = NodeLifecycle.MOVE_AFTER_ROUNDS * LifecycleCluster.INTERVAL;
        for (LifecycleCluster.MoveRecord move : cluster.moves()) {
            NodeStatus expected = move.move.direction() == RangeMover.Direction.RECEIVE ? NodeStatus.JOINING
                : NodeStatus.LEAVING;
            assertEquals(expected, move.selfAtRequest.status(), "moved while " + move.selfAtRequest.status());
            assertTrue(move.selfAtRequest.tokenCount() > 0, "moved without announced tokens: " + move);
            LifecycleCluster.Announcement announced = all.stream()
                .filter(a -> a.node().equals(move.node) && a.incarnation() == move.incarnation
                    && a.status() == expected && a.at() <= move.requestedAt
                    && Arrays.equals(sorted(a.tokens()), sorted(move.selfAtRequest.tokens())))
                .reduce((first, second) -> second).orElse(null);
            assertNotNull(announced, "moved with tokens never announced: " + move);
            assertTrue(move.requestedAt - announced.at() >= announceToMove,
                "moved " + (move.requestedAt - announced.at()) + " ns after announcing: " + move);
        }
    }

    /** @return the last announcement of {@code status} by the node of {@code before}, in its run, before it */
    private static LifecycleCluster.Announcement last(List<LifecycleCluster.Announcement> all,
                                                      LifecycleCluster.Announcement before, NodeStatus status) {
        LifecycleCluster.Announcement found = null;
        for (LifecycleCluster.Announcement a : all) {
            if (a == before) {
                break;
            }
            if (a.node().equals(before.node()) && a.incarnation() == before.incarnation() && a.status() == status
                && a.tokens().length > 0) {
                found = a;
            }
        }
        return found;
    }

    private static boolean finishedBetween(LifecycleCluster cluster, LifecycleCluster.Announcement end, long since,
                                           RangeMover.Direction direction) {
        return cluster.moves().stream().anyMatch(m -> m.node.equals(end.node()) && m.incarnation == end.incarnation()
            && m.move.direction() == direction && m.requestedAt >= since && m.finishedAt >= 0
            && m.finishedAt <= end.at());
    }

    private static long[] sorted(long[] tokens) {
        long[] copy = tokens.clone();
        Arrays.sort(copy);
        return copy;
    }
}

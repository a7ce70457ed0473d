package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenRange;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Which ranges a join and a leave move, and between which nodes. */
class StreamPlanTest {
    private static final NodeId N4 = NodeId.of("n4");

    private static Ring ring(int nodes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Ring.Builder builder = Ring.builder().replicationFactor(3);
        for (int i = 1; i <= nodes; i++) {
            builder.add(Node.of("n" + i, "127.0.0.1", 7000 + i, 8000 + i), random.longs(16).toArray());
        }
        return builder.build();
    }

    /** @return the fraction of the ring the tasks' distinct ranges cover */
    private static double covered(List<StreamPlan.Task> tasks) {
        return tasks.stream().map(StreamPlan.Task::range).distinct().mapToDouble(TokenRange::fraction).sum();
    }

    @Test
    void aJoinerTakesExactlyTheRangesItWillReplicateFromEveryCurrentReplicaOfEach() {
        for (long seed = 1; seed <= 5; seed++) {
            Ring future = ring(4, seed);
            Ring current = future.withoutNode(N4);
            List<StreamPlan.Task> tasks = StreamPlan.joining(current, future, N4);
            assertEquals(future.replicatedOwnership().get(N4), covered(tasks), 1e-9,
                "the joiner takes its whole future share, nothing more");
            Map<TokenRange, Set<NodeId>> peers = tasks.stream().collect(Collectors.groupingBy(StreamPlan.Task::range,
                Collectors.mapping(StreamPlan.Task::peer, Collectors.toSet())));
            for (Map.Entry<TokenRange, Set<NodeId>> piece : peers.entrySet()) {
                Set<NodeId> replicas = current.preferenceList(piece.getKey().end()).replicas().stream()
                    .map(Node::id).collect(Collectors.toSet());
                assertEquals(replicas, piece.getValue(), "every current replica of " + piece.getKey());
                assertTrue(future.preferenceList(piece.getKey().end()).contains(N4));
            }
        }
    }

    @Test
    void aLeavingNodeHandsEachOfItsRangesToTheReplicasItGains() {
        NodeId leaving = NodeId.of("n2");
        for (long seed = 1; seed <= 5; seed++) {
            Ring current = ring(4, seed);
            Ring future = current.withoutNode(leaving);
            List<StreamPlan.Task> tasks = StreamPlan.leaving(current, future, leaving);
            assertEquals(current.replicatedOwnership().get(leaving), covered(tasks), 1e-9,
                "every range the leaving node replicates goes somewhere");
            Map<TokenRange, Integer> receivers = new HashMap<>();
            for (StreamPlan.Task task : tasks) {
                assertFalse(current.preferenceList(task.range().end()).contains(task.peer()),
                    task.peer() + " already replicates " + task.range());
                assertTrue(future.preferenceList(task.range().end()).contains(task.peer()));
                receivers.merge(task.range(), 1, Integer::sum);
            }
            assertTrue(receivers.values().stream().allMatch(count -> count == 1),
                "at N=3 a leave gives each of its ranges exactly one new replica");
        }
    }

    @Test
    void aJoinerAlsoTakesWhatItReplicatesShouldTheNodeJoiningBesideItNeverFinish() {
        // the future ring holds both joiners; once n4 is NORMAL the ring holds n4 alone until n5 finishes (if it
        // ever does), and there n4 replicates pieces n5 took from it in the future ring
        NodeId n5 = NodeId.of("n5");
        boolean anyPieceOnlyAlone = false;
        for (long seed = 1; seed <= 5; seed++) {
            Ring both = ring(5, seed);
            Ring current = both.withoutNode(N4).withoutNode(n5);
            Ring alone = both.withoutNode(n5);
            List<StreamPlan.Task> tasks = StreamPlan.joining(current, both, N4);
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < 5_000; i++) {
                long token = random.nextLong();
                boolean wanted = !current.preferenceList(token).contains(N4)
                    && (alone.preferenceList(token).contains(N4) || both.preferenceList(token).contains(N4));
                anyPieceOnlyAlone |= wanted && !both.preferenceList(token).contains(N4);
                assertEquals(wanted, tasks.stream().anyMatch(task -> task.range().contains(token)),
                    "token " + token + " of seed " + seed);
            }
        }
        assertTrue(anyPieceOnlyAlone, "no piece n4 replicates only without n5: the test would prove nothing");
    }

    @Test
    void aLeavingNodeAlsoHandsItsRangesToWhoGainsThemShouldTheJoinerBesideItNeverFinish() {
        NodeId leaving = NodeId.of("n2");
        boolean anyPieceOnlyAlone = false;
        for (long seed = 1; seed <= 5; seed++) {
            Ring withJoiner = ring(5, seed);
            Ring current = withJoiner.withoutNode(N4);
            Ring future = withJoiner.withoutNode(leaving);
            Ring alone = current.withoutNode(leaving);
            List<StreamPlan.Task> tasks = StreamPlan.leaving(current, future, leaving);
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < 5_000; i++) {
                long token = random.nextLong();
                if (!current.preferenceList(token).contains(leaving)) {
                    continue;
                }
                for (Ring next : new Ring[] {future, alone}) {
                    for (Node gainer : next.preferenceList(token).replicas()) {
                        if (!current.preferenceList(token).contains(gainer.id())) {
                            anyPieceOnlyAlone |= next == alone && !future.preferenceList(token).contains(gainer.id());
                            assertTrue(tasks.stream().anyMatch(task -> task.range().contains(token)
                                && task.peer().equals(gainer.id())), gainer.id() + " gets nothing of token " + token);
                        }
                    }
                }
            }
        }
        assertTrue(anyPieceOnlyAlone, "no gainer only without the joiner: the test would prove nothing");
    }

    @Test
    void aReplacementTakesWhatTheNodeItReplacesHeld() {
        Ring current = ring(4, 3);
        NodeId dead = NodeId.of("n3");
        NodeId replacement = NodeId.of("n9");
        Ring future = current.withoutNode(dead).withNode(Node.of("n9", "127.0.0.1", 7009, 8009),
            current.tokensOf(dead));
        Ring alone = StreamPlan.withOnlyTheMoveOf(current, future, replacement);
        assertEquals(future, alone, "with nothing else moving, only the replacement's move is the future");
        assertEquals(current.replicatedOwnership().get(dead), covered(StreamPlan.joining(current, future,
            replacement)), 1e-9);
    }

    @Test
    void theFirstNodeHasNothingToTakeAndAnUnchangedRingMovesNothing() {
        Ring one = ring(1, 1);
        assertEquals(List.of(), StreamPlan.joining(Ring.empty(3), one, NodeId.of("n1")));
        Ring four = ring(4, 2);
        assertEquals(List.of(), StreamPlan.joining(four, four, N4));
        assertEquals(List.of(), StreamPlan.leaving(four, four, N4));
    }
}

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
    void theFirstNodeHasNothingToTakeAndAnUnchangedRingMovesNothing() {
        Ring one = ring(1, 1);
        assertEquals(List.of(), StreamPlan.joining(Ring.empty(3), one, NodeId.of("n1")));
        Ring four = ring(4, 2);
        assertEquals(List.of(), StreamPlan.joining(four, four, N4));
        assertEquals(List.of(), StreamPlan.leaving(four, four, N4));
    }
}

package io.ringkv.gossip.sim;

import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.FailureDetector;
import io.ringkv.gossip.FixedTimeoutDetector;
import io.ringkv.gossip.GossipConfig;
import io.ringkv.gossip.GossipCounter;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Liveness;
import io.ringkv.gossip.PhiAccrualDetector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The measurements of gossip the simulator tests assert and the figures run prints: spread of a heartbeat,
 * detection of a crash, false suspicion under loss, partition and heal, bandwidth. Every figure is in gossip
 * rounds of virtual time.
 */
final class GossipFigures {
    static final long INTERVAL = TimeUnit.SECONDS.toNanos(1);
    static final long SUSPECT_AFTER = 15 * INTERVAL;
    static final long DOWN_AFTER = 30 * INTERVAL;

    private GossipFigures() {
    }

    static GossipConfig config() {
        return GossipConfig.withSeeds(List.of()).withInterval(INTERVAL);
    }

    static Supplier<FailureDetector> fixed() {
        return () -> new FixedTimeoutDetector(SUSPECT_AFTER, DOWN_AFTER);
    }

    /**
     * Phi accrual as the node configures it by default: SUSPECT at phi 5, DOWN at phi 8, a standard deviation of at
     * least half an interval and an acceptable pause of suspect_after less three intervals, so that on a steady
     * heartbeat it suspects about when the fixed detector would and then adapts to each node's history.
     */
    static Supplier<FailureDetector> phi() {
        return () -> new PhiAccrualDetector(5, 8, 1000, INTERVAL, INTERVAL / 2, SUSPECT_AFTER - 3 * INTERVAL);
    }

    /**
     * Rounds until a new heartbeat version of one node reaches 50 %, 99 % and 100 % of the cluster.
     *
     * @param rounds the three figures
     */
    record Spread(int[] rounds) {
    }

    static Spread spread(long seed, int nodes, double loss) {
        GossipCluster cluster = new GossipCluster(seed, nodes, config(), fixed()).withoutRestarts();
        cluster.simulation().network().dropRate(loss);
        cluster.awaitFullMembership(60);
        cluster.runRounds(3);
        SplittableRandom random = new SplittableRandom(seed);
        NodeId subject = cluster.ids().get(random.nextInt(nodes));
        long version = cluster.gossiper(subject).self().version();
        int[] rounds = {-1, -1, -1};
        for (int round = 1; round <= 60 && rounds[2] < 0; round++) {
            cluster.runRounds(1);
            int reached = 0;
            for (Gossiper gossiper : cluster.upGossipers()) {
                EndpointState known = gossiper.state(subject);
                if (known != null && known.version() >= version) {
                    reached++;
                }
            }
            double share = reached / (double) nodes;
            if (rounds[0] < 0 && share >= 0.5) {
                rounds[0] = round;
            }
            if (rounds[1] < 0 && share >= 0.99) {
                rounds[1] = round;
            }
            if (rounds[2] < 0 && reached == nodes) {
                rounds[2] = round;
            }
        }
        return new Spread(rounds);
    }

    /**
     * After one node crashes: the rounds until every other node judges it SUSPECT and until every other node
     * judges it DOWN.
     *
     * @param suspectRounds rounds from the crash until the last observer judged it SUSPECT (or DOWN)
     * @param downRounds rounds from the crash until the last observer judged it DOWN
     */
    record Detection(double suspectRounds, double downRounds) {
    }

    static Detection detection(long seed, int nodes, double loss) {
        GossipCluster cluster = new GossipCluster(seed, nodes, config(), fixed()).withoutRestarts();
        cluster.simulation().network().dropRate(loss);
        cluster.awaitFullMembership(60);
        cluster.runRounds(5);
        NodeId victim = cluster.ids().get(new SplittableRandom(seed).nextInt(nodes));
        long crashedAt = cluster.simulation().now();
        cluster.simulation().crash(victim);
        cluster.runRounds(DOWN_AFTER / INTERVAL + 10);
        long lastSuspect = 0;
        long lastDown = 0;
        for (NodeId observer : cluster.ids()) {
            if (observer.equals(victim)) {
                continue;
            }
            long suspect = Long.MAX_VALUE;
            long down = Long.MAX_VALUE;
            for (GossipCluster.Judgement judgement : cluster.judgements()) {
                if (judgement.observer().equals(observer) && judgement.subject().equals(victim)
                    && judgement.atNanos() >= crashedAt) {
                    if (judgement.to() != Liveness.ALIVE) {
                        suspect = Math.min(suspect, judgement.atNanos());
                    }
                    if (judgement.to() == Liveness.DOWN) {
                        down = Math.min(down, judgement.atNanos());
                    }
                }
            }
            lastSuspect = Math.max(lastSuspect, suspect - crashedAt);
            lastDown = Math.max(lastDown, down - crashedAt);
        }
        return new Detection(lastSuspect / (double) INTERVAL, lastDown / (double) INTERVAL);
    }

    /**
     * False judgements over a stretch of virtual time with message loss and no crash.
     *
     * @param suspects times any node judged any live node SUSPECT
     * @param downs times any node judged any live node DOWN
     */
    record FalseJudgements(long suspects, long downs) {
    }

    static FalseJudgements falseJudgements(long seed, int nodes, double loss, long rounds,
                                           Supplier<FailureDetector> detector) {
        GossipCluster cluster = new GossipCluster(seed, nodes, config(), detector).withoutRestarts();
        cluster.simulation().network().dropRate(loss);
        cluster.awaitFullMembership(60);
        int before = cluster.judgements().size();
        cluster.runRounds(rounds);
        long suspects = 0;
        long downs = 0;
        for (GossipCluster.Judgement judgement : cluster.judgements().subList(before, cluster.judgements().size())) {
            if (judgement.to() == Liveness.SUSPECT) {
                suspects++;
            } else if (judgement.to() == Liveness.DOWN) {
                downs++;
            }
        }
        return new FalseJudgements(suspects, downs);
    }

    /**
     * A cluster split in two halves for longer than {@code down_after}, then healed.
     *
     * @param eachSideSawTheOtherDown every node judged every node of the other half DOWN before the heal
     * @param roundsToConverge rounds after the heal until every node judges every other ALIVE and holds the same
     *     versions of every node's content, or -1 when that did not happen within 60 rounds
     */
    record PartitionHeal(boolean eachSideSawTheOtherDown, int roundsToConverge) {
    }

    static PartitionHeal partitionAndHeal(long seed, int nodes) {
        GossipCluster cluster = new GossipCluster(seed, nodes, config(), fixed()).withoutRestarts();
        cluster.awaitFullMembership(60);
        List<NodeId> left = cluster.ids().subList(0, nodes / 2);
        List<NodeId> right = cluster.ids().subList(nodes / 2, nodes);
        cluster.simulation().network().partition(left, right);
        cluster.runRounds(DOWN_AFTER / INTERVAL + 5);
        boolean allDown = true;
        for (NodeId observer : cluster.ids()) {
            Gossiper gossiper = cluster.gossiper(observer);
            for (NodeId other : left.contains(observer) ? right : left) {
                allDown &= gossiper.liveness(other) == Liveness.DOWN;
            }
        }
        cluster.simulation().network().heal();
        for (int round = 1; round <= 60; round++) {
            cluster.runRounds(1);
            if (converged(cluster)) {
                return new PartitionHeal(allDown, round);
            }
        }
        return new PartitionHeal(allDown, -1);
    }

    private static boolean converged(GossipCluster cluster) {
        List<Gossiper> all = cluster.upGossipers();
        for (Gossiper gossiper : all) {
            if (gossiper.knownEndpoints() != cluster.ids().size()) {
                return false;
            }
            for (NodeId other : cluster.ids()) {
                if (gossiper.liveness(other) != Liveness.ALIVE) {
                    return false;
                }
                EndpointState known = gossiper.state(other);
                EndpointState own = cluster.gossiper(other).self();
                if (known.generation() != own.generation() || known.stateVersion() != own.stateVersion()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Gossip traffic of a stable cluster, per node per round.
     *
     * @param bytesPerNodeRound mean bytes sent per node per round
     * @param messagesPerNodeRound mean messages sent per node per round
     * @param fullStatesPerRound full states taken per round, over all nodes (0 once stable: only heartbeats move)
     */
    record Bandwidth(double bytesPerNodeRound, double messagesPerNodeRound, double fullStatesPerRound) {
    }

    static Bandwidth bandwidth(long seed, int nodes, int rounds) {
        GossipCluster cluster = new GossipCluster(seed, nodes, config(), fixed()).withoutRestarts();
        cluster.awaitFullMembership(60);
        cluster.runRounds(5);
        long[] before = totals(cluster);
        cluster.runRounds(rounds);
        long[] after = totals(cluster);
        double nodeRounds = (double) nodes * rounds;
        return new Bandwidth((after[0] - before[0]) / nodeRounds, (after[1] - before[1]) / nodeRounds,
            (after[2] - before[2]) / (double) rounds);
    }

    private static long[] totals(GossipCluster cluster) {
        long[] totals = new long[3];
        for (Gossiper gossiper : cluster.upGossipers()) {
            totals[0] += gossiper.counters().value(GossipCounter.BYTES_SENT);
            totals[1] += gossiper.counters().value(GossipCounter.SYNS_SENT) + gossiper.counters().value(GossipCounter.ACKS_SENT);
            totals[2] += gossiper.counters().value(GossipCounter.STATES_APPLIED);
        }
        return totals;
    }

    /** @return the {@code p}-th percentile (0–100) of {@code values}, nearest rank */
    static int percentile(List<Integer> values, double p) {
        int[] sorted = values.stream().mapToInt(Integer::intValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String describe(int[] values) {
        return Arrays.toString(values);
    }

    static List<Integer> column(List<Spread> spreads, int index) {
        List<Integer> column = new ArrayList<>();
        spreads.forEach(spread -> column.add(spread.rounds()[index]));
        return column;
    }
}

package io.ringkv.ring;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.ring.internal.Statistics;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collection;
import java.util.random.RandomGeneratorFactory;

/**
 * Measures how evenly a token allocation strategy spreads data and how much a join moves: builds a ring of
 * {@code nodes} nodes one join at a time, measures primary and replicated ownership, then joins one more
 * node and measures the data moved against the ideal N / (nodes + 1). Deterministic for a given seed; no I/O
 * (the caller prints {@link Result#toJson()}).
 */
public final class RingSimulation {
    /** Most nodes a simulation builds. */
    public static final int MAX_NODES = 10_000;
    private static final String RANDOM_ALGORITHM = "L64X128MixRandom";
    private static final MathContext SIGNIFICANT = new MathContext(5);

    private RingSimulation() {
    }

    /**
     * What to simulate.
     *
     * @param nodes ring size before the measured join, 1 to {@value #MAX_NODES}
     * @param vnodes tokens per node, 1 to {@link TokenAllocators#MAX_VNODES}
     * @param replicationFactor N, 1 to {@link Ring#MAX_REPLICATION_FACTOR}
     * @param strategy a name from {@link TokenAllocators#names()}
     * @param seed seed of the allocator's {@value #RANDOM_ALGORITHM} generator
     */
    public record Options(int nodes, int vnodes, int replicationFactor, String strategy, long seed) {
        /** @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} naming the setting out of range */
        public Options {
            check("nodes", nodes, MAX_NODES);
            check("vnodes", vnodes, TokenAllocators.MAX_VNODES);
            check("rf", replicationFactor, Ring.MAX_REPLICATION_FACTOR);
            if (!TokenAllocators.names().contains(strategy)) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION, "strategy must be one of "
                    + String.join(", ", TokenAllocators.names()) + ", was '" + strategy + "'");
            }
        }

        private static void check(String setting, int value, int max) {
            if (value < 1 || value > max) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                    setting + " must be 1–" + max + ", was " + value);
            }
        }
    }

    /**
     * What a simulation measured. Coefficients of variation use the population standard deviation.
     *
     * @param nodes ring size measured
     * @param vnodes tokens per node
     * @param replicationFactor N
     * @param strategy allocation strategy
     * @param primaryCv coefficient of variation of primary ownership across nodes
     * @param replicaCv coefficient of variation of replicated ownership across nodes
     * @param maxOverMean largest replicated ownership over the mean
     * @param movedFraction share of the ring copied when one more node joins (summed over receivers)
     * @param idealFraction the least a join can move: min(1, N / (nodes + 1))
     */
    public record Result(int nodes, int vnodes, int replicationFactor, String strategy, double primaryCv,
                         double replicaCv, double maxOverMean, double movedFraction, double idealFraction) {
        /** @return one JSON object on one line, numbers to 5 significant digits */
        public String toJson() {
            return "{\"nodes\":" + nodes + ",\"vnodes\":" + vnodes + ",\"rf\":" + replicationFactor
                + ",\"strategy\":\"" + escape(strategy) + "\",\"primary_cv\":" + number(primaryCv)
                + ",\"replica_cv\":" + number(replicaCv) + ",\"max_over_mean\":" + number(maxOverMean)
                + ",\"moved_fraction\":" + number(movedFraction) + ",\"ideal_fraction\":" + number(idealFraction)
                + "}";
        }
    }

    /** @return the measurements for {@code options}; the same options always give the same result */
    public static Result run(Options options) {
        TokenAllocator allocator = TokenAllocators.create(options.strategy(),
            RandomGeneratorFactory.of(RANDOM_ALGORITHM).create(options.seed()));
        Ring ring = Ring.empty(options.replicationFactor());
        for (int number = 1; number <= options.nodes(); number++) {
            ring = join(ring, allocator, node(number), options.vnodes());
        }
        Ring grown = join(ring, allocator, node(options.nodes() + 1), options.vnodes());
        double[] replicated = values(ring.replicatedOwnership().values());
        return new Result(options.nodes(), options.vnodes(), options.replicationFactor(), options.strategy(),
            Statistics.coefficientOfVariation(values(ring.primaryOwnership().values())),
            Statistics.coefficientOfVariation(replicated), Statistics.maxOverMean(replicated),
            OwnershipDiff.between(ring, grown).movedFraction(),
            Math.min(1.0, (double) options.replicationFactor() / (options.nodes() + 1)));
    }

    /** @return simulated node number {@code number}: id "n" + number on 127.0.0.1, ports unique per number */
    public static Node node(int number) {
        return Node.of("n" + number, "127.0.0.1", 10_000 + number, 30_000 + number);
    }

    private static Ring join(Ring ring, TokenAllocator allocator, Node node, int vnodes) {
        return ring.withNode(node, allocator.allocate(ring, node, vnodes));
    }

    private static double[] values(Collection<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String number(double value) {
        if (!Double.isFinite(value)) {
            return "null";
        }
        return new BigDecimal(value).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}

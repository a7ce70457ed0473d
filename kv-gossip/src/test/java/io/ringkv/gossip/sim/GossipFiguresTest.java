package io.ringkv.gossip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The figures of gossip at scale, behind a flag because they take a long time: spread, detection, false
 * judgements, partition and heal, and bandwidth, printed as one line each and held to the targets. Run with
 * {@code benchmarks/scripts/gossip-figures.sh} (it sets {@code -Dgossip.figures=true}; {@code -Dgossip.figures.nodes},
 * {@code -Dgossip.figures.seeds} and {@code -Dgossip.figures.hour-nodes} change the sizes). Seeds run side by side on
 * {@code -Dgossip.figures.threads} threads (default: one per core); each seed is its own simulation, so its result
 * does not depend on the thread count.
 */
@EnabledIfSystemProperty(named = "gossip.figures", matches = "true")
class GossipFiguresTest {
    private static final int NODES = Integer.getInteger("gossip.figures.nodes", 1000);
    private static final int SEEDS = Integer.getInteger("gossip.figures.seeds", 100);
    private static final int HOUR_NODES = Integer.getInteger("gossip.figures.hour-nodes", 200);
    /** First seed of the spread figure, so that several processes can share a long run. */
    private static final long FIRST_SEED = Long.getLong("gossip.figures.first-seed", 1);
    private static final int THREADS = Integer.getInteger("gossip.figures.threads",
        Runtime.getRuntime().availableProcessors());

    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /**
     * Runs {@code run} for seeds {@code first} to {@code first + count - 1} on {@link #THREADS} threads.
     *
     * @param done called as each seed finishes, in the order they finish (progress for long runs)
     * @return the results in seed order
     */
    private static <T> List<T> eachSeed(long first, int count, LongFunction<T> run, BiConsumer<Long, T> done) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(THREADS, count)));
        try {
            CompletionService<Map.Entry<Long, T>> completion = new ExecutorCompletionService<>(pool);
            for (long seed = first; seed < first + count; seed++) {
                long current = seed;
                completion.submit(() -> Map.entry(current, run.apply(current)));
            }
            Map<Long, T> results = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                Map.Entry<Long, T> result = completion.take().get();
                results.put(result.getKey(), result.getValue());
                done.accept(result.getKey(), result.getValue());
            }
            return new ArrayList<>(results.values());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a seed failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void spread() {
        List<GossipFigures.Spread> spreads = eachSeed(FIRST_SEED, SEEDS, seed -> GossipFigures.spread(seed, NODES, 0.01),
            (seed, spread) -> print("{\"figure\":\"spread_seed\",\"nodes\":%d,\"seed\":%d,\"rounds\":%s}", NODES,
                seed, GossipFigures.describe(spread.rounds()).replace(" ", "")));
        int p50of100 = GossipFigures.percentile(GossipFigures.column(spreads, 2), 50);
        int p99of100 = GossipFigures.percentile(GossipFigures.column(spreads, 2), 99);
        print("{\"figure\":\"spread\",\"nodes\":%d,\"seeds\":%d,\"loss\":0.01,"
                + "\"rounds_to_50pct\":{\"p50\":%d,\"p99\":%d,\"max\":%d},"
                + "\"rounds_to_99pct\":{\"p50\":%d,\"p99\":%d,\"max\":%d},"
                + "\"rounds_to_100pct\":{\"p50\":%d,\"p99\":%d,\"max\":%d}}",
            NODES, SEEDS,
            GossipFigures.percentile(GossipFigures.column(spreads, 0), 50),
            GossipFigures.percentile(GossipFigures.column(spreads, 0), 99),
            GossipFigures.percentile(GossipFigures.column(spreads, 0), 100),
            GossipFigures.percentile(GossipFigures.column(spreads, 1), 50),
            GossipFigures.percentile(GossipFigures.column(spreads, 1), 99),
            GossipFigures.percentile(GossipFigures.column(spreads, 1), 100),
            p50of100, p99of100, GossipFigures.percentile(GossipFigures.column(spreads, 2), 100));
        assertTrue(spreads.stream().allMatch(s -> s.rounds()[2] > 0), "a heartbeat never reached every node");
        assertTrue(p99of100 <= 15, "p99 rounds to reach every node: " + p99of100);
    }

    @Test
    void detection() {
        int seeds = Math.max(1, SEEDS / 20);
        double worstSuspect = 0;
        double worstDown = 0;
        for (GossipFigures.Detection detection : eachSeed(1, seeds, seed -> GossipFigures.detection(seed, NODES, 0.01),
                (seed, result) -> { })) {
            worstSuspect = Math.max(worstSuspect, detection.suspectRounds());
            worstDown = Math.max(worstDown, detection.downRounds());
        }
        print("{\"figure\":\"detection\",\"nodes\":%d,\"seeds\":%d,\"loss\":0.01,\"suspect_after_rounds\":15,"
                + "\"down_after_rounds\":30,\"suspect_everywhere_rounds_max\":%.2f,\"down_everywhere_rounds_max\":%.2f}",
            NODES, seeds, worstSuspect, worstDown);
        assertTrue(worstSuspect <= 17 && worstDown <= 32);
    }

    @Test
    void falseJudgementsOverAnHour() {
        GossipFigures.FalseJudgements fixed = GossipFigures.falseJudgements(1, HOUR_NODES, 0.10, 3600,
            GossipFigures.fixed());
        GossipFigures.FalseJudgements phi = GossipFigures.falseJudgements(1, HOUR_NODES, 0.10, 3600,
            GossipFigures.phi());
        print("{\"figure\":\"false_judgements\",\"nodes\":%d,\"loss\":0.10,\"virtual_seconds\":3600,"
                + "\"fixed\":{\"suspect\":%d,\"down\":%d},\"phi\":{\"suspect\":%d,\"down\":%d}}",
            HOUR_NODES, fixed.suspects(), fixed.downs(), phi.suspects(), phi.downs());
        assertEquals(0, fixed.downs());
    }

    @Test
    void partitionAndHeal() {
        int seeds = Math.max(1, SEEDS / 20);
        int worst = 0;
        boolean allDown = true;
        for (GossipFigures.PartitionHeal result : eachSeed(1, seeds, seed -> GossipFigures.partitionAndHeal(seed, NODES),
                (seed, done) -> { })) {
            allDown &= result.eachSideSawTheOtherDown();
            worst = result.roundsToConverge() < 0 ? Integer.MAX_VALUE : Math.max(worst, result.roundsToConverge());
        }
        print("{\"figure\":\"partition_heal\",\"nodes\":%d,\"seeds\":%d,\"each_side_saw_the_other_down\":%b,"
            + "\"rounds_to_converge_max\":%d}", NODES, seeds, allDown, worst);
        assertTrue(allDown && worst <= 15);
    }

    @Test
    void bandwidth() {
        GossipFigures.Bandwidth bandwidth = GossipFigures.bandwidth(1, NODES, 20);
        print("{\"figure\":\"bandwidth\",\"nodes\":%d,\"bytes_per_node_per_round\":%.0f,"
                + "\"messages_per_node_per_round\":%.2f,\"full_states_per_round\":%.1f}",
            NODES, bandwidth.bytesPerNodeRound(), bandwidth.messagesPerNodeRound(), bandwidth.fullStatesPerRound());
        assertEquals(0.0, bandwidth.fullStatesPerRound());
    }
}

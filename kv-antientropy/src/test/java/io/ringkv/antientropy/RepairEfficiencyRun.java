package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.antientropy.sbe.MessageHeaderDecoder;
import io.ringkv.antientropy.sbe.RecordAckDecoder;
import io.ringkv.antientropy.sbe.RecordDecoder;
import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.MessageHandler;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.api.Transport;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.TokenRange;
import io.ringkv.sim.SimStorageStage;
import io.ringkv.sim.Simulation;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The efficiency figures of issue 16, a measurement run only when asked ({@code -Drepair.efficiency=true}): two
 * simulated replicas of {@code repair.keys} keys (default 1,000,000) with {@code repair.value-bytes}-byte values
 * (default 1,024) of which 0.1 %, 1 % and 10 % differ, one session over the whole ring each, at each leaf count of
 * {@code repair.leaves} (default 1024,8192). Prints a markdown table of bytes exchanged against the bytes of the
 * differing records, tree and digest bytes apart, and time; fails when a session fails or leaves the replicas
 * different.
 *
 * <p>The differing keys are every (1/fraction)-th key, so they spread over the ring like hashed keys do; of them, a
 * third is held only by A, a third only by B, and a third by both with different versions and values (A's version
 * 1, B's version 2, which the toy merger keeps). "Differing data" counts the key, version and value bytes of every
 * record one replica lacks: both records of a conflicting key, since anti-entropy cannot know which one the
 * resolver keeps (with concurrent versions it keeps both); "winners" counts only the record the merger keeps.
 *
 * <p>Bytes are counted twice: by the session ({@link RepairResult}) and on the wire, by a transport that counts
 * every message each node sent, by type.
 */
@EnabledIfSystemProperty(named = "repair.efficiency", matches = "true")
class RepairEfficiencyRun {
    private static final long MS = 1_000_000;
    private static final Limits LIMITS = new Limits(256, 64 * 1024);
    private static final double[] FRACTIONS = {0.001, 0.01, 0.1};

    @Test
    void repairMovesLittleMoreThanTheDifferingRecords() {
        int keys = Integer.getInteger("repair.keys", 1_000_000);
        int valueBytes = Integer.getInteger("repair.value-bytes", 1024);
        int[] leafCounts = Arrays.stream(System.getProperty("repair.leaves", "1024,8192").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        List<String> rows = new ArrayList<>();
        for (int leaves : leafCounts) {
            for (double fraction : FRACTIONS) {
                Row row = measure(keys, valueBytes, leaves, fraction);
                rows.add(row.markdown());
                System.out.println("repair efficiency: " + row.markdown());
            }
        }
        StringBuilder table = new StringBuilder()
            .append(String.format(Locale.ROOT, "%nRepair efficiency: 2 replicas, %,d keys, %,d-byte values, one "
                + "session over the whole ring (kv-sim, default latencies, no loss)%n%n", keys, valueBytes))
            .append(Row.HEADER).append('\n').append(Row.RULE).append('\n');
        rows.forEach(row -> table.append(row).append('\n'));
        System.out.println(table);
    }

    private static Row measure(int keys, int valueBytes, int leaves, double fraction) {
        RepairConfig config = new RepairConfig(leaves, RepairConfig.DEFAULT.retryIntervalNanos(),
            RepairConfig.DEFAULT.sessionTimeoutNanos(), RepairConfig.DEFAULT.maxResponderSessions(),
            RepairConfig.DEFAULT.maxLeavesInFlight());
        Pair pair = new Pair(17, config);
        Fill fill = fill(pair, keys, valueBytes, Math.round(1 / fraction));
        long wallStart = System.nanoTime();
        RepairResult result = pair.repair();
        long wallNanos = System.nanoTime() - wallStart;
        assertTrue(result.completed(), "session failed: " + result.failure());
        pair.sim.runFor(1_000 * MS);
        boolean identical = identical(pair.a.engine, pair.b.engine);
        assertTrue(identical, "replicas differ after the session (" + leaves + " leaves, " + fraction + ")");
        assertEquals(keys, count(pair.a.engine));
        return new Row(leaves, fill.differingKeys, fill.differingBytes, fill.winnerBytes, result,
            pair.a.wire.plus(pair.b.wire), retransmits(pair), wallNanos, identical);
    }

    /** Fills both replicas; every {@code stride}-th key differs, the rest are equal. */
    private static Fill fill(Pair pair, int keys, int valueBytes, long stride) {
        SplittableRandom random = new SplittableRandom(keys);
        byte[] one = version(1);
        byte[] two = version(2);
        Fill fill = new Fill();
        for (int i = 0; i < keys; i++) {
            Key key = Key.utf8("key" + i);
            long token = Partitioner.token(key);
            byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            int keyBytes = key.toByteArray().length;
            if (i % stride != 0) {
                pair.a.engine.put(token, key, one, value);
                pair.b.engine.put(token, key, one, value);
                continue;
            }
            fill.differingKeys++;
            long recordBytes = keyBytes + one.length + valueBytes;
            switch ((int) (i / stride % 3)) {
                case 0 -> {
                    pair.a.engine.put(token, key, one, value);
                    fill.differingBytes += recordBytes;
                    fill.winnerBytes += recordBytes;
                }
                case 1 -> {
                    pair.b.engine.put(token, key, one, value);
                    fill.differingBytes += recordBytes;
                    fill.winnerBytes += recordBytes;
                }
                default -> {
                    byte[] other = new byte[valueBytes];
                    random.nextBytes(other);
                    pair.a.engine.put(token, key, one, value);
                    pair.b.engine.put(token, key, two, other);
                    fill.differingBytes += 2 * recordBytes;
                    fill.winnerBytes += recordBytes;
                }
            }
        }
        // what was filled is durable: the simulated disk keeps no undo journal for it
        pair.a.engine.flush();
        pair.b.engine.flush();
        return fill;
    }

    private static byte[] version(long stamp) {
        byte[] version = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            version[i] = (byte) (stamp >>> (8 * (Long.BYTES - 1 - i)));
        }
        return version;
    }

    private static boolean identical(StorageEngine a, StorageEngine b) {
        List<StorageRecord> left = new ArrayList<>();
        a.scan(0, 0, record -> left.add(record));
        int[] index = {0};
        boolean[] same = {true};
        b.scan(0, 0, record -> {
            if (index[0] >= left.size() || !sameRecord(left.get(index[0]++), record)) {
                same[0] = false;
                return false;
            }
            return true;
        });
        return same[0] && index[0] == left.size();
    }

    private static boolean sameRecord(StorageRecord x, StorageRecord y) {
        return x.token() == y.token() && x.key().equals(y.key()) && Arrays.equals(x.version(), y.version())
            && Arrays.equals(x.value(), y.value());
    }

    private static long count(StorageEngine engine) {
        long[] count = {0};
        engine.scan(0, 0, record -> {
            count[0]++;
            return true;
        });
        return count[0];
    }

    private static long retransmits(Pair pair) {
        return pair.a.repair.counter(RepairCounter.RETRANSMITS) + pair.b.repair.counter(RepairCounter.RETRANSMITS);
    }

    /** Two simulated nodes, n1 (A, the initiator) and n2 (B), running only anti-entropy over their engines. */
    private static final class Pair {
        final Simulation sim;
        final Replica a;
        final Replica b;

        Pair(long seed, RepairConfig config) {
            sim = new Simulation(seed);
            a = new Replica(sim, NodeId.of("n1"), config);
            b = new Replica(sim, NodeId.of("n2"), config);
        }

        RepairResult repair() {
            RepairResult[] result = new RepairResult[1];
            a.repair.repair(TokenRange.wholeRing(), b.id, done -> result[0] = done);
            sim.runUntil(() -> result[0] != null, 3_600_000 * MS);
            assertNotNull(result[0], "the session never ended");
            return result[0];
        }
    }

    /** One node: its engine, its anti-entropy, and what it put on the wire. */
    private static final class Replica {
        final NodeId id;
        final Wire wire = new Wire();
        StorageEngine engine;
        AntiEntropy repair;

        Replica(Simulation sim, NodeId id, RepairConfig config) {
            this.id = id;
            EngineConfig store = new EngineConfig(Path.of("sim"), "data", LIMITS,
                EngineConfig.DEFAULT_MAX_VERSION_BYTES, Map.of());
            sim.addNode(id, (context, disk) -> {
                engine = disk.open(store);
                SimStorageStage stage = new SimStorageStage(context, engine);
                NodeContext counted = new NodeContext(context.self(), new CountingTransport(context.transport(),
                    wire), context.clock(), context.timers(), context.random(), context.counters());
                repair = new AntiEntropy(counted, stage, config, LargerVersionWins.through(stage), 256, 64 * 1024);
                return repair;
            });
        }
    }


    /** Bytes of the messages one node's transport accepted, by kind. */
    private static final class Wire {
        long records;
        long acks;
        long other;
        long refused;

        Wire plus(Wire more) {
            Wire sum = new Wire();
            sum.records = records + more.records;
            sum.acks = acks + more.acks;
            sum.other = other + more.other;
            sum.refused = refused + more.refused;
            return sum;
        }
    }

    /** A transport that counts what it sends, by SBE template, and forwards everything. */
    private record CountingTransport(Transport delegate, Wire wire) implements Transport {
        private static final MessageHeaderDecoder HEADER = new MessageHeaderDecoder();

        @Override
        public SendResult send(NodeId destination, DirectBuffer buffer, int offset, int length) {
            SendResult result = delegate.send(destination, buffer, offset, length);
            if (result != SendResult.SENT) {
                wire.refused++;
                return result;
            }
            int template = HEADER.wrap(buffer, offset).templateId();
            if (template == RecordDecoder.TEMPLATE_ID) {
                wire.records += length;
            } else if (template == RecordAckDecoder.TEMPLATE_ID) {
                wire.acks += length;
            } else {
                wire.other += length;
            }
            return result;
        }

        @Override
        public void register(int schemaId, MessageHandler handler) {
            delegate.register(schemaId, handler);
        }
    }

    private static final class Fill {
        long differingKeys;
        long differingBytes;
        long winnerBytes;
    }

    /** One line of the table. */
    private record Row(int leaves, long differingKeys, long differingBytes, long winnerBytes, RepairResult result,
                       Wire wire, long retransmits, long wallNanos, boolean identical) {
        static final String HEADER = "| leaves | differing keys | differing data | record bytes (session) | ratio "
            + "| ratio to winners | record bytes (wire) | acks (wire) | tree + digest (session) "
            + "| tree + digest (wire) | differing leaves | retransmits | virtual time | wall time | identical |";
        static final String RULE = "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|";

        String markdown() {
            return String.format(Locale.ROOT, "| %,d | %,d | %s | %s | %.3f | %.3f | %s | %s | %s | %s | %,d | %,d "
                    + "| %,d ms | %,d ms | %s |", leaves, differingKeys, mb(differingBytes), mb(result.recordBytes()),
                (double) result.recordBytes() / differingBytes, (double) result.recordBytes() / winnerBytes,
                mb(wire.records), mb(wire.acks), mb(result.treeBytes()), mb(wire.other), result.differingLeaves(),
                retransmits, result.nanos() / MS, wallNanos / MS, identical ? "yes" : "NO");
        }

        private static String mb(long bytes) {
            return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
        }
    }
}

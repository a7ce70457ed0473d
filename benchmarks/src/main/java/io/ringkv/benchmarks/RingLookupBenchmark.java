package io.ringkv.benchmarks;

import io.ringkv.api.Node;
import io.ringkv.ring.Partitioner;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Preference-list lookups on a large ring: 1,000 nodes × 256 vnodes by default. {@code lookup} is the binary
 * search plus reading all N replicas from the precomputed table; {@code hashAndLookup} adds Murmur3 of a
 * 16-byte key.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class RingLookupBenchmark {
    private static final int KEYS = 1 << 14;

    @Param({"1000"})
    int nodes;

    @Param({"256"})
    int vnodes;

    private Ring ring;
    private final PreferenceList.Cursor cursor = new PreferenceList.Cursor();
    private long[] tokens;
    private byte[][] keys;
    private int next;

    @Setup
    public void buildRing() {
        SplittableRandom random = new SplittableRandom(1);
        Ring.Builder builder = Ring.builder().replicationFactor(3);
        for (int n = 0; n < nodes; n++) {
            long[] nodeTokens = new long[vnodes];
            for (int t = 0; t < vnodes; t++) {
                nodeTokens[t] = random.nextLong(Partitioner.MIN_TOKEN, Long.MAX_VALUE);
            }
            builder.add(Node.of("n" + n, "127.0.0.1", 7000 + n % 50_000 + 1, 6379), nodeTokens);
        }
        ring = builder.build();
        tokens = new long[KEYS];
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format("user:%011d", random.nextLong(100_000_000_000L)).getBytes(StandardCharsets.UTF_8);
            tokens[i] = Partitioner.token(keys[i], 0, keys[i].length);
        }
    }

    @Benchmark
    public int lookup() {
        int i = next++ & (KEYS - 1);
        ring.lookup(tokens[i], cursor);
        return cursor.nodeIndex(0) + cursor.nodeIndex(1) + cursor.nodeIndex(2);
    }

    @Benchmark
    public int hashAndLookup() {
        byte[] key = keys[next++ & (KEYS - 1)];
        ring.lookup(Partitioner.token(key, 0, key.length), cursor);
        return cursor.nodeIndex(0) + cursor.nodeIndex(1) + cursor.nodeIndex(2);
    }
}

package io.ringkv.benchmarks;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.Dot;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.replication.ConflictResolvers;
import java.util.List;
import java.util.Map;
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
 * Conflict resolution as a quorum read and a replica write run it, with 1 KiB values: {@code readReplies} resolves
 * the replies of three replicas that hold the same version (the common read), {@code replicaWrite} a held version
 * and the write that supersedes it (every replica write); {@code valueOf} makes a value of 1 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ResolverBenchmark {
    @Param({"vector-clock", "lww"})
    String resolver;

    private ConflictResolver resolve;
    private List<Versioned> replies;
    private List<Versioned> write;
    private final byte[] bytes = new byte[1024];

    @Setup
    public void setUp() {
        resolve = ConflictResolvers.named(resolver);
        NodeId a = NodeId.of("n1");
        NodeId b = NodeId.of("n2");
        Versioned held = versioned(new Dot(a, 41), VectorClock.of(Map.of(a, 40L, b, 7L)), 1_000, 1);
        Versioned next = versioned(new Dot(b, 8), VectorClock.of(Map.of(a, 41L, b, 7L)), 1_001, 2);
        // three replies of the same version, each decoded on its own: equal, not identical
        replies = List.of(held, copy(held), copy(held));
        write = List.of(held, next);
    }

    private static Versioned versioned(Dot dot, VectorClock past, long millis, int seed) {
        byte[] value = new byte[1024];
        new SplittableRandom(seed).nextBytes(value);
        return Versioned.of(new Version(dot, past, new HybridTimestamp(millis, 0)), Value.of(value));
    }

    private static Versioned copy(Versioned versioned) {
        Version v = versioned.version();
        return Versioned.of(new Version(new Dot(v.dot().node(), v.dot().counter()), v.past(),
            new HybridTimestamp(v.timestamp().physicalMillis(), v.timestamp().logical())),
            Value.of(versioned.value().toByteArray()));
    }

    /** A value as every decode of a reply or a record makes one: a copy of 1 KiB. */
    @Benchmark
    public Value valueOf() {
        return Value.of(bytes);
    }

    @Benchmark
    public SiblingSet readReplies() {
        return resolve.resolve(replies);
    }

    @Benchmark
    public SiblingSet replicaWrite() {
        return resolve.resolve(write);
    }
}

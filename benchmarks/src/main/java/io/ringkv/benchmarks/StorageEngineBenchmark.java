package io.ringkv.benchmarks;

import io.ringkv.api.Key;
import io.ringkv.benchmarks.storage.StorageDataSet;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The storage engines side by side: random put of 1 KiB values, random get of a present and of an absent key,
 * and a range scan of 1,000 records, over a data set four times the size of the memtable (256 MiB of values by
 * default, 64 MiB memtables in both disk engines). Each engine is loaded, closed and reopened before it is
 * measured, so reads start from SSTables as after a restart. Both disk engines write their log on every put
 * without an fsync (lsm {@code sync=periodic}, rocksdb {@code sync=none}: their defaults).
 *
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar StorageEngineBenchmark}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class StorageEngineBenchmark {
    private static final int SCAN_RECORDS = 1000;

    @Param({"lsm", "rocksdb", "memory"})
    String engine;

    @Param({"262144"})
    int records;

    @Param({"1024"})
    int valueBytes;

    private Path directory;
    private StorageEngine store;
    private StorageDataSet data;
    private final SplittableRandom random = new SplittableRandom(11);

    @Setup(Level.Trial)
    public void load() throws IOException {
        directory = Files.createTempDirectory("ringkv-storage-bench");
        data = new StorageDataSet(valueBytes);
        store = open();
        for (long i = 0; i < records; i++) {
            data.put(store, i);
        }
        if (!store.isVolatile()) {
            store.close();
            store = open();
        }
    }

    private StorageEngine open() {
        return StorageEngines.open(engine, EngineConfig.of(directory, "bench"));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        System.out.println();
        System.out.println(engine + " metrics: " + store.metrics());
        store.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(StorageEngineBenchmark::delete);
        }
    }

    private static void delete(Path path) {
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Overwrites a random key of the data set with a fresh 1 KiB value. */
    @Benchmark
    public void randomPut() {
        data.put(store, random.nextLong(records));
    }

    /** Reads a random key of the data set. */
    @Benchmark
    public StorageRecord randomGetHit() {
        Key key = StorageDataSet.key(random.nextLong(records));
        return store.get(StorageDataSet.token(key), key);
    }

    /** Reads a key that was never written (its token lies among the data set's). */
    @Benchmark
    public StorageRecord randomGetMiss() {
        Key key = StorageDataSet.key(records + random.nextLong(records));
        return store.get(StorageDataSet.token(key), key);
    }

    /** Scans 1,000 records in token order from a random token. */
    @Benchmark
    public long scan1000() {
        long start = random.nextLong();
        long[] seen = {0};
        store.scan(start, start, record -> ++seen[0] < SCAN_RECORDS);
        return seen[0];
    }
}

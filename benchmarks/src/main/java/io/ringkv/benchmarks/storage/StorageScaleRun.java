package io.ringkv.benchmarks.storage;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The scale run: loads one engine with {@code --gib} GiB of values into a directory, then reads random keys,
 * and prints write and read throughput, write amplification, the bytes on disk, and the most memory the JVM
 * used (heap after collections, and resident anonymous memory, which excludes the page cache behind mapped
 * files). Run it with a small {@code -Xmx} to show memory stays bounded by the caches, not by the data:
 *
 * <pre>{@code java -Xmx1g -cp benchmarks/target/benchmarks.jar io.ringkv.benchmarks.storage.StorageScaleRun \
 *     --engine lsm --gib 20 --dir /var/tmp/ringkv-scale --read-seconds 60}</pre>
 *
 * <p>{@code --drop-caches true} (Linux, as root) empties the page cache between the load and the reads, so the reads
 * start from a store wholly on disk however much memory the machine has; the bytes the process read from the disk
 * during the reads ({@code read_bytes} of {@code /proc/self/io}) are printed per get either way.
 */
public final class StorageScaleRun {
    private StorageScaleRun() {
    }

    /** @param args {@code --engine --gib --value-bytes --dir --read-seconds --drop-caches --option name=value ...} */
    public static void main(String[] args) throws IOException {
        Map<String, String> flags = new HashMap<>(Map.of("--engine", "lsm", "--gib", "2", "--value-bytes", "1024",
            "--dir", "/var/tmp/ringkv-scale", "--read-seconds", "60", "--drop-caches", "false"));
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--option")) {
                String[] pair = args[i + 1].split("=", 2);
                options.put(pair[0], pair[1]);
            } else {
                flags.put(args[i], args[i + 1]);
            }
        }
        String engineName = flags.get("--engine");
        int valueBytes = Integer.parseInt(flags.get("--value-bytes"));
        long records = (long) (Double.parseDouble(flags.get("--gib")) * (1L << 30) / valueBytes);
        Path directory = Path.of(flags.get("--dir"), engineName);
        Files.createDirectories(directory);
        StorageDataSet data = new StorageDataSet(valueBytes);
        MemoryWatch memory = new MemoryWatch();
        try (StorageEngine engine = StorageEngines.open(engineName,
            EngineConfig.of(directory, "scale").withOptions(options))) {
            System.out.printf("loading %,d records of %d bytes into %s (%s)%n", records, valueBytes, engineName,
                directory);
            double writeSeconds = load(engine, data, records, memory);
            engine.flush();
            double writeRate = records / writeSeconds;
            System.out.printf("write: %,d records in %.1f s = %,.0f records/s, %.1f MiB/s%n", records, writeSeconds,
                writeRate, writeRate * valueBytes / (1 << 20));
            if (Boolean.parseBoolean(flags.get("--drop-caches"))) {
                dropCaches();
            }
            read(engine, records, Long.parseLong(flags.get("--read-seconds")), memory);
            StorageMetrics metrics = engine.metrics();
            System.out.printf("write amplification: %.2f (SSTables only: %.2f); on disk: %.2f GiB%n",
                metrics.extra().getOrDefault("write_amplification_x100", 0L) / 100.0,
                metrics.extra().getOrDefault("sstable_write_amplification_x100", 0L) / 100.0,
                diskBytes(directory) / (double) (1L << 30));
            System.out.println("metrics: " + metrics);
        }
        System.out.printf("memory: max heap used after GC %.0f MiB (-Xmx %.0f MiB), max anonymous RSS %.0f MiB, "
                + "max RSS %.0f MiB%n", memory.maxHeapAfterGc / 1048576.0,
            Runtime.getRuntime().maxMemory() / 1048576.0, memory.maxAnonymous / 1048576.0,
            memory.maxResident / 1048576.0);
    }

    private static double load(StorageEngine engine, StorageDataSet data, long records, MemoryWatch memory) {
        long start = System.nanoTime();
        long lastReport = start;
        for (long i = 0; i < records; i++) {
            data.put(engine, i);
            if ((i & 0xFFF) == 0 && System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                memory.sample();
                System.out.printf("  %,d records, %.0f s, %,.0f records/s, heap %.0f MiB, anonymous RSS %.0f MiB%n",
                    i, (lastReport - start) / 1e9, i / ((lastReport - start) / 1e9), memory.heapUsed() / 1048576.0,
                    memory.anonymous() / 1048576.0);
            }
        }
        memory.sample();
        return (System.nanoTime() - start) / 1e9;
    }

    /** Writes dirty pages out, then empties the page cache (Linux, as root). */
    private static void dropCaches() throws IOException {
        try {
            if (new ProcessBuilder("sync").inheritIO().start().waitFor() != 0) {
                throw new IOException("sync failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while syncing", e);
        }
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
        } catch (IOException e) {
            throw new IOException("--drop-caches needs Linux and root: cannot write /proc/sys/vm/drop_caches (" + e
                + ")", e);
        }
        System.out.println("page cache dropped");
    }

    /** @return the bytes this process made the disk read so far ({@code read_bytes} of /proc/self/io), or -1 */
    private static long diskBytesRead() {
        return procNumber("io", "read_bytes:");
    }

    /**
     * @return the number on the line of {@code /proc/self/<file>} that starts with {@code field} (its digits), or
     *     -1 when the file or the line cannot be read
     */
    private static long procNumber(String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self", file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static void read(StorageEngine engine, long records, long seconds, MemoryWatch memory) {
        long diskBefore = diskBytesRead();
        SplittableRandom random = new SplittableRandom(3);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        long reads = 0;
        long hits = 0;
        while ((reads & 0x3FF) != 0 || System.nanoTime() < deadline) {
            Key key = StorageDataSet.key(random.nextLong(records));
            if (engine.get(StorageDataSet.token(key), key) != null) {
                hits++;
            }
            reads++;
        }
        memory.sample();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long diskAfter = diskBytesRead();
        String disk = diskBefore < 0 || diskAfter < 0 ? "the disk's reads unknown (no /proc/self/io)"
            : String.format("the disk read %,.0f MiB, %.1f KiB per get", (diskAfter - diskBefore) / 1048576.0,
                (diskAfter - diskBefore) / 1024.0 / reads);
        System.out.printf("read: %,d random gets in %.1f s = %,.0f gets/s, %d%% found; %s%n", reads, elapsed,
            reads / elapsed, hits * 100 / reads, disk);
    }

    private static long diskBytes(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        }
    }

    /** Samples heap after the last collection and the process's resident memory from /proc. */
    private static final class MemoryWatch {
        long maxHeapAfterGc;
        long maxAnonymous;
        long maxResident;

        void sample() {
            maxHeapAfterGc = Math.max(maxHeapAfterGc, heapAfterGc());
            maxAnonymous = Math.max(maxAnonymous, anonymous());
            maxResident = Math.max(maxResident, status("VmRSS:"));
        }

        long heapUsed() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        private static long heapAfterGc() {
            long sum = 0;
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    sum += pool.getCollectionUsage().getUsed();
                }
            }
            return sum;
        }

        long anonymous() {
            return status("RssAnon:");
        }

        /** @return a {@code /proc/self/status} field given in KiB, in bytes; 0 when it cannot be read */
        private static long status(String field) {
            long kib = procNumber("status", field);
            return kib < 0 ? 0 : kib * 1024;
        }
    }
}

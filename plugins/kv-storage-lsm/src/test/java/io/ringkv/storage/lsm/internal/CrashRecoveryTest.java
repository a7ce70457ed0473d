package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real child JVM writes with {@code sync=always} and reports every acknowledged key; it is killed with SIGKILL
 * at random points (mid-write, mid-flush, mid-compaction) again and again. After every kill the store opens, every
 * acknowledged write is there and intact, and nothing it holds is corrupt. 20 kills by default;
 * {@code -Dlsm.crash.kills=200} for a soak.
 */
class CrashRecoveryTest {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path data;

    @Test
    void everyAcknowledgedWriteSurvivesRepeatedSigkill() throws Exception {
        killRepeatedly(Integer.getInteger("lsm.crash.kills", 20), false);
    }

    /** Appends buffered in the process (sync=periodic): what a flush covered survives, whatever was buffered after. */
    @Test
    void everyFlushedWriteSurvivesRepeatedSigkillWithBufferedAppends() throws Exception {
        killRepeatedly(Integer.getInteger("lsm.crash.kills", 20) / 2, true);
    }

    private void killRepeatedly(int kills, boolean buffered) throws Exception {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        long next = 0;
        int verified = 0;
        long replayed = 0;
        long compactedTables = 0;
        for (int run = 1; run <= kills; run++) {
            int target = random.nextInt(400);
            Path output = data.resolve("child-" + run + ".log");
            Process child = start(next, run, output, buffered);
            try {
                awaitAcks(child, output, target);
            } finally {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
            List<Long> acked = acknowledged(output);
            String context = "run " + run + " of " + kills + " (seed " + seed + ", killed after " + acked.size()
                + " acks)";
            long[] seen = verify(acked, run, context);
            next = seen[0];
            replayed += seen[1];
            compactedTables += seen[2];
            verified += acked.size();
        }
        assertTrue(verified > 0, "the children acknowledged nothing");
        assertTrue(replayed > 0, "no run left a commit log to replay");
        assertTrue(compactedTables > 0, "no run left a compacted table behind: compaction was never crossed");
    }

    private Process start(long first, int run, Path output, boolean buffered) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-exports", "java.base/jdk.internal.misc=org.agrona", "-Xmx64m",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "--module-path", System.getProperty("jdk.module.path"),
            "--patch-module", "io.ringkv.storage.lsm=" + System.getProperty("lsm.test.classes"),
            "-m", "io.ringkv.storage.lsm/" + CrashWriter.class.getName(),
            data.toString(), Long.toString(first), Integer.toString(run), buffered ? "buffered" : "direct"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Waits until the child acknowledged {@code target} writes, or died. */
    private static void awaitAcks(Process child, Path output, int target) throws Exception {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (child.isAlive() && acknowledged(output).size() < target) {
            if (System.nanoTime() > deadline) {
                fail("the child acknowledged only " + acknowledged(output).size() + " writes in 60 s:\n"
                    + Files.readString(output));
            }
            Thread.sleep(5);
        }
        if (!child.isAlive()) {
            fail("the child died by itself:\n" + Files.readString(output));
        }
    }

    /** Reads the tables the killed child left, before an engine opens the store and compacts it further. */
    private long compactedTablesLeftByTheChild() throws IOException {
        Path store = data.resolve("crash");
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(store)) {
            return files.filter(file -> TableFiles.isTable(file.getFileName().toString()))
                .filter(CrashRecoveryTest::isCompacted).count();
        }
    }

    private static boolean isCompacted(Path table) {
        try {
            SSTable opened = SSTable.open(table, io.ringkv.api.Limits.DEFAULT, new LsmMetrics(),
                new PointReads(io.ringkv.storage.lsm.DataReads.MMAP, 0));
            opened.retain();
            boolean compacted = opened.meta().inputs().length > 0;
            opened.release();
            return compacted;
        } catch (IOException | CorruptTableException e) {
            throw new AssertionError("a table the child left cannot be read: " + table, e);
        }
    }

    /** @return the indexes on complete {@code ACK} lines */
    private static List<Long> acknowledged(Path output) throws IOException {
        String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        List<Long> acked = new ArrayList<>();
        for (String line : text.substring(0, end + 1).split("\n")) {
            if (line.startsWith("ACK ")) {
                acked.add(Long.parseLong(line.substring(4).trim()));
            }
        }
        return acked;
    }

    /**
     * Opens the store after a kill and checks it.
     *
     * @return the next unused key index, the commit log records replayed, and the compacted tables found
     */
    private long[] verify(List<Long> acked, int run, String context) throws IOException {
        long compacted = compactedTablesLeftByTheChild();
        try (LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "crash"),
            LsmOptions.parse(CrashWriter.OPTIONS), System::currentTimeMillis)) {
            for (long index : acked) {
                StorageRecord record = engine.get(CrashWriter.token(index), CrashWriter.key(index));
                assertNotNull(record, "acknowledged key " + index + " is missing after " + context);
                assertTrue(CrashWriter.intact(index, run, record.value()),
                    "acknowledged key " + index + " is damaged after " + context);
            }
            long[] highest = {-1};
            engine.scan(Long.MAX_VALUE, Long.MAX_VALUE, record -> {
                String key = new String(record.key().toByteArray(), StandardCharsets.UTF_8);
                long index = Long.parseLong(key.substring("key-".length()));
                int writtenBy = Integer.parseInt(new String(record.version(), StandardCharsets.UTF_8).substring(4));
                assertTrue(CrashWriter.intact(index, writtenBy, record.value()),
                    "key " + index + " holds a corrupt value after " + context);
                highest[0] = Math.max(highest[0], index);
                return true;
            });
            return new long[] {highest[0] + 1, engine.metrics().extra().get("commitlog_replayed_records"), compacted};
        }
    }
}

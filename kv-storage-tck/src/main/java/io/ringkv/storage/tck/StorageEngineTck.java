package io.ringkv.storage.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit for {@link StorageEngine}s. An engine's test class extends this and names its engine;
 * the engine is looked up with {@link StorageEngines}, so the test also proves the plugin is registered.
 *
 * <pre>{@code
 * class LsmEngineTckTest extends StorageEngineTck {
 *     protected String engineName() { return "lsm"; }
 * }
 * }</pre>
 */
public abstract class StorageEngineTck {
    /** Limits the kit opens engines with, small so that oversize input is cheap to build. */
    protected static final Limits TCK_LIMITS = new Limits(64, 1024);
    private static final int TCK_MAX_VERSION_BYTES = 128;

    @TempDir
    Path dataDirectory;

    private StorageEngine engine;

    /** @return the name the engine's provider registers, e.g. {@code memory} */
    protected abstract String engineName();

    /** @return engine options to open every store with; none by default */
    protected Map<String, String> engineOptions() {
        return Map.of();
    }

    /** Opens the engine under test for each test. */
    @BeforeEach
    public void openEngine() {
        engine = open();
    }

    /** Closes the engine under test. */
    @AfterEach
    public void closeEngine() {
        engine.close();
    }

    private StorageEngine open() {
        EngineConfig config = new EngineConfig(dataDirectory, "tck", TCK_LIMITS, TCK_MAX_VERSION_BYTES,
            engineOptions());
        return StorageEngines.open(engineName(), config);
    }

    /** @return the engine under test, open */
    protected StorageEngine engine() {
        return engine;
    }

    @Test
    public void engineReportsTheNameItWasChosenBy() {
        assertEquals(engineName(), engine.name());
    }

    @Test
    public void getReturnsWhatPutStored() {
        engine.put(10, key("a"), bytes("v1"), bytes("hello"));
        StorageRecord record = engine.get(10, key("a"));
        assertNotNull(record);
        assertFalse(record.isTombstone());
        assertEquals(10, record.token());
        assertEquals(key("a"), record.key());
        assertArrayEquals(bytes("v1"), record.version());
        assertArrayEquals(bytes("hello"), record.value());
    }

    @Test
    public void getOfAKeyNeverWrittenReturnsNull() {
        engine.put(10, key("a"), bytes("v1"), bytes("x"));
        assertNull(engine.get(10, key("b")));
        assertNull(engine.get(11, key("a")), "the token is part of the address");
    }

    @Test
    public void putReplacesTheWholeRecord() {
        engine.put(10, key("a"), bytes("v1"), bytes("first"));
        engine.put(10, key("a"), bytes("v2"), bytes("second"));
        StorageRecord record = engine.get(10, key("a"));
        assertArrayEquals(bytes("v2"), record.version());
        assertArrayEquals(bytes("second"), record.value());
    }

    @Test
    public void emptyValuesAndEmptyKeysAreStored() {
        engine.put(1, key(""), bytes("v"), new byte[0]);
        StorageRecord record = engine.get(1, key(""));
        assertNotNull(record);
        assertFalse(record.isTombstone());
        assertEquals(0, record.valueLength());
    }

    @Test
    public void keysSharingATokenStayDistinct() {
        engine.put(7, key("a"), bytes("v"), bytes("A"));
        engine.put(7, key("b"), bytes("v"), bytes("B"));
        assertArrayEquals(bytes("A"), engine.get(7, key("a")).value());
        assertArrayEquals(bytes("B"), engine.get(7, key("b")).value());
        assertEquals(List.of("a", "b"), keysIn(6, 7));
    }

    @Test
    public void deleteLeavesATombstoneThatGetReturns() {
        engine.put(10, key("a"), bytes("v1"), bytes("x"));
        engine.delete(10, key("a"), bytes("v2"));
        StorageRecord record = engine.get(10, key("a"));
        assertNotNull(record, "a delete must leave a tombstone, not nothing");
        assertTrue(record.isTombstone());
        assertNull(record.value());
        assertArrayEquals(bytes("v2"), record.version());
    }

    @Test
    public void deleteOfAnUnknownKeyStillWritesATombstone() {
        engine.delete(10, key("ghost"), bytes("v1"));
        assertTrue(engine.get(10, key("ghost")).isTombstone());
    }

    @Test
    public void tombstonesAreVisibleToScans() {
        engine.put(10, key("a"), bytes("v"), bytes("x"));
        engine.put(20, key("b"), bytes("v"), bytes("y"));
        engine.delete(10, key("a"), bytes("v2"));
        List<StorageRecord> seen = scan(Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(2, seen.size());
        assertTrue(seen.get(0).isTombstone());
        assertFalse(seen.get(1).isTombstone());
    }

    @Test
    public void scanVisitsTheRangeInTokenOrderExcludingStartIncludingEnd() {
        long[] tokens = {-500, -20, -10, 0, 10, 20, 500};
        for (int i = tokens.length - 1; i >= 0; i--) {
            engine.put(tokens[i], key("k" + tokens[i]), bytes("v"), bytes("x"));
        }
        assertEquals(List.of("k-10", "k0", "k10", "k20"), keysIn(-20, 20));
        assertEquals(List.of(), keysIn(20, 21));
        assertEquals(List.of("k-500"), keysIn(-501, -500));
    }

    @Test
    public void scanWrapsAroundTheEndOfTheRing() {
        long[] tokens = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -5, 5, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        for (long token : tokens) {
            engine.put(token, key("t" + token), bytes("v"), bytes("x"));
        }
        assertEquals(List.of("t" + Long.MAX_VALUE, "t" + Long.MIN_VALUE, "t" + (Long.MIN_VALUE + 1), "t-5"),
            keysIn(Long.MAX_VALUE - 1, -5));
        assertEquals(List.of("t" + Long.MIN_VALUE), keysIn(Long.MAX_VALUE, Long.MIN_VALUE));
    }

    @Test
    public void scanFromATokenToItselfCoversTheWholeRingStartingAfterIt() {
        long[] tokens = {-5, 0, 5};
        for (long token : tokens) {
            engine.put(token, key("t" + token), bytes("v"), bytes("x"));
        }
        assertEquals(List.of("t5", "t-5", "t0"), keysIn(0, 0));
        assertEquals(List.of("t-5", "t0", "t5"), keysIn(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    public void scanStopsWhenTheVisitorSaysSo() {
        for (int i = 0; i < 10; i++) {
            engine.put(i, key("k" + i), bytes("v"), bytes("x"));
        }
        List<String> seen = new ArrayList<>();
        engine.scan(Long.MIN_VALUE, Long.MAX_VALUE, record -> {
            seen.add(text(record.key().toByteArray()));
            return seen.size() < 3;
        });
        assertEquals(List.of("k0", "k1", "k2"), seen);
    }

    @Test
    public void oversizeKeysValuesAndVersionsAreRejectedAndNothingIsStored() {
        Key longKey = Key.of(new byte[TCK_LIMITS.maxKeyBytes() + 1]);
        assertEquals(ErrorCode.KEY_TOO_LARGE,
            assertThrows(KvException.class, () -> engine.put(1, longKey, bytes("v"), bytes("x"))).code());
        assertEquals(ErrorCode.KEY_TOO_LARGE,
            assertThrows(KvException.class, () -> engine.delete(1, longKey, bytes("v"))).code());
        byte[] bigValue = new byte[TCK_LIMITS.maxValueBytes() + 1];
        assertEquals(ErrorCode.VALUE_TOO_LARGE,
            assertThrows(KvException.class, () -> engine.put(2, key("big"), bytes("v"), bigValue)).code());
        byte[] bigVersion = new byte[TCK_MAX_VERSION_BYTES + 1];
        assertEquals(ErrorCode.INVALID_ARGUMENT,
            assertThrows(KvException.class, () -> engine.put(3, key("ver"), bigVersion, bytes("x"))).code());
        assertEquals(List.of(), keysIn(Long.MIN_VALUE, Long.MAX_VALUE), "a rejected write must change nothing");
        engine.put(2, key("big"), bytes("v"), new byte[TCK_LIMITS.maxValueBytes()]);
        assertEquals(TCK_LIMITS.maxValueBytes(), engine.get(2, key("big")).valueLength());
    }

    @Test
    public void aClosedEngineRejectsEveryUse() {
        engine.put(1, key("a"), bytes("v"), bytes("x"));
        engine.close();
        engine.close();
        assertClosed(() -> engine.put(1, key("a"), bytes("v"), bytes("x")));
        assertClosed(() -> engine.delete(1, key("a"), bytes("v")));
        assertClosed(() -> engine.get(1, key("a")));
        assertClosed(() -> engine.scan(0, 0, record -> true));
        assertClosed(() -> engine.flush());
    }

    @Test
    public void flushKeepsEverythingReadable() {
        for (int i = 0; i < 100; i++) {
            engine.put(i, key("k" + i), bytes("v"), bytes("x" + i));
        }
        engine.delete(5, key("k5"), bytes("v2"));
        engine.flush();
        assertArrayEquals(bytes("x42"), engine.get(42, key("k42")).value());
        assertTrue(engine.get(5, key("k5")).isTombstone());
        assertEquals(100, scan(Long.MIN_VALUE, Long.MAX_VALUE).size());
    }

    @Test
    public void metricsCountTheOperations() {
        engine.put(1, key("a"), bytes("v"), bytes("x"));
        engine.put(2, key("b"), bytes("v"), bytes("x"));
        engine.delete(1, key("a"), bytes("v"));
        engine.get(1, key("a"));
        engine.get(9, key("none"));
        scan(Long.MIN_VALUE, Long.MAX_VALUE);
        var metrics = engine.metrics();
        assertEquals(2, metrics.puts());
        assertEquals(1, metrics.deletes());
        assertEquals(2, metrics.gets());
        assertEquals(1, metrics.getHits());
        assertEquals(1, metrics.scans());
        assertEquals(2, metrics.scannedRecords());
        assertTrue(metrics.bytesWritten() > 0);
        assertTrue(metrics.dataBytes() > 0, "data is held but its size is " + metrics.dataBytes());
    }

    @Test
    public void theDataSizeGrowsWithTheDataAndSurvivesAFlush() {
        long empty = engine.metrics().dataBytes();
        byte[] value = new byte[TCK_LIMITS.maxValueBytes()];
        new java.util.SplittableRandom(7).nextBytes(value); // incompressible, for engines that compress
        int records = 256;
        long written = (long) records * value.length;
        for (int i = 0; i < records; i++) {
            engine.put(i, key("k" + i), bytes("v"), value);
        }
        long held = engine.metrics().dataBytes();
        assertTrue(held >= empty + written / 2, records + " values of " + value.length + " bytes grew the data size"
            + " from " + empty + " to " + held + " bytes");
        engine.flush();
        long flushed = engine.metrics().dataBytes();
        assertTrue(flushed >= written / 2, "after a flush the data size is " + flushed + " bytes");
    }

    @Test
    public void dropUnlessRemovesTheRejectedTokensForGoodAndKeepsTheRest() {
        for (int i = 0; i < 200; i++) {
            engine.put(i * 1_000L - 100_000, key("k" + i), bytes("v"), bytes("value " + i));
        }
        engine.delete(-99_000, key("gone"), bytes("d"));
        long dropped = engine.dropUnless(token -> token >= 0);
        assertEquals(101, dropped, "100 negative tokens and one tombstone");
        assertEquals(100, scan(0, 0).size());
        assertTrue(scan(0, 0).stream().allMatch(record -> record.token() >= 0));
        assertNull(engine.get(-99_000, key("gone")), "no tombstone is left in its place");
        if (!engine.isVolatile()) {
            engine.close();
            engine = open();
            assertEquals(100, scan(0, 0).size(), "what was dropped stays dropped after a reopen");
            assertNull(engine.get(-100_000, key("k0")));
        }
    }

    @Test
    public void whatWasWrittenBeforeCloseIsThereAfterReopen() {
        assumeFalse(engine.isVolatile(), engineName() + " declares itself volatile");
        SplittableRandom random = new SplittableRandom(42);
        Map<Long, byte[]> written = new java.util.HashMap<>();
        for (int i = 0; i < 500; i++) {
            long token = random.nextLong();
            byte[] value = new byte[random.nextInt(TCK_LIMITS.maxValueBytes() + 1)];
            random.nextBytes(value);
            engine.put(token, key("k" + i), bytes("v" + i), value);
            written.put(token, value);
        }
        engine.delete(1, key("deleted"), bytes("d"));
        engine.close();
        engine = open();
        assertEquals(written.size() + 1, scan(Long.MIN_VALUE, Long.MAX_VALUE).size());
        int i = 0;
        for (StorageRecord record : scan(Long.MIN_VALUE, Long.MAX_VALUE)) {
            if (!record.isTombstone()) {
                assertArrayEquals(written.get(record.token()), record.value(), "record " + i);
            }
            i++;
        }
        assertTrue(engine.get(1, key("deleted")).isTombstone());
    }

    @Test
    @Timeout(60)
    public void readersRunConcurrentlyWithAWriterAndNeverSeeATornRecord() throws Exception {
        int keys = 200;
        int rounds = 20;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Thread reader = new Thread(() -> readUntil(done, keys, failure), "tck-reader-" + r);
            reader.start();
            readers.add(reader);
        }
        try {
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < keys; k++) {
                    // version and value both carry the round, so a reader can tell a mixed record
                    engine.put(k, key("k" + k), bytes("r" + round), bytes("k" + k + "@r" + round));
                }
            }
        } finally {
            done.countDown();
            for (Thread reader : readers) {
                reader.join();
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a reader saw an inconsistent state", failure.get());
        }
        assertArrayEquals(bytes("k7@r" + (rounds - 1)), engine.get(7, key("k7")).value());
    }

    private void readUntil(CountDownLatch done, int keys, AtomicReference<Throwable> failure) {
        SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
        try {
            while (done.getCount() > 0) {
                int k = random.nextInt(keys);
                StorageRecord record = engine.get(k, key("k" + k));
                if (record != null) {
                    String round = text(record.version());
                    assertEquals("k" + k + "@" + round, text(record.value()));
                }
                long[] previous = {Long.MIN_VALUE};
                engine.scan(Long.MIN_VALUE, Long.MAX_VALUE, seen -> {
                    assertTrue(seen.token() >= previous[0], "scan out of token order");
                    previous[0] = seen.token();
                    return true;
                });
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private static void assertClosed(org.junit.jupiter.api.function.Executable action) {
        assertEquals(ErrorCode.CLOSED, assertThrows(KvException.class, action).code());
    }

    /** @return every record in (start, end], in scan order */
    protected List<StorageRecord> scan(long startExclusive, long endInclusive) {
        List<StorageRecord> seen = new ArrayList<>();
        engine.scan(startExclusive, endInclusive, seen::add);
        return seen;
    }

    private List<String> keysIn(long startExclusive, long endInclusive) {
        return scan(startExclusive, endInclusive).stream().map(r -> text(r.key().toByteArray())).toList();
    }

    /** A key from UTF-8 text. */
    protected static Key key(String text) {
        return Key.utf8(text);
    }

    /** UTF-8 bytes of {@code text}. */
    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

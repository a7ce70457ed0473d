package io.ringkv.storage;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters every engine keeps, safe to bump from many threads; engines add their own and pass them to
 * {@link #snapshot(long, long, Map)}.
 */
public final class EngineCounters {
    private final LongAdder puts = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder gets = new LongAdder();
    private final LongAdder getHits = new LongAdder();
    private final LongAdder scans = new LongAdder();
    private final LongAdder scannedRecords = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();

    /** Counts a put of {@code bytes} key, version and value bytes. */
    public void onPut(long bytes) {
        puts.increment();
        bytesWritten.add(bytes);
    }

    /** Counts a delete of {@code bytes} key and version bytes. */
    public void onDelete(long bytes) {
        deletes.increment();
        bytesWritten.add(bytes);
    }

    /** Counts a point read. */
    public void onGet(boolean hit) {
        gets.increment();
        if (hit) {
            getHits.increment();
        }
    }

    /** Counts a scan that handed {@code visited} records to its visitor. */
    public void onScan(long visited) {
        scans.increment();
        scannedRecords.add(visited);
    }

    /** Counts a flush. */
    public void onFlush() {
        flushes.increment();
    }

    /** @return the counters now, with the engine's record count, data size and extra counters */
    public StorageMetrics snapshot(long liveRecords, long dataBytes, Map<String, Long> extra) {
        return new StorageMetrics(puts.sum(), deletes.sum(), gets.sum(), getHits.sum(), scans.sum(),
            scannedRecords.sum(), flushes.sum(), liveRecords, dataBytes, bytesWritten.sum(), extra);
    }
}

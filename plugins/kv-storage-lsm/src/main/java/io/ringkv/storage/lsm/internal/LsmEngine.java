package io.ringkv.storage.lsm.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EngineCounters;
import io.ringkv.storage.RecordGuard;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.lsm.LsmEngineProvider;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The {@code lsm} engine. Writes go to the commit log, then the active memtable; a full memtable is frozen and
 * flushed to an SSTable in the background while a new one takes writes; compaction merges SSTables in the
 * background. Reads look at the memtables, then the SSTables newest first, skipping those whose bloom filter
 * rules the key out; scans merge every source in (token, key) order.
 *
 * <p>A full disk refuses writes with {@code DISK_FULL} and keeps serving reads (see {@link DiskSpace}); a start on a
 * full disk replays the commit log into memory and flushes it once there is room, so it needs no free space.
 *
 * <p>One writer at a time holds the write lock (sequence numbers, log order and memtable switches follow from
 * it); readers take no lock. Durability waits (fsync) happen after the lock is released, so concurrent writers
 * share fsyncs.
 */
public final class LsmEngine implements StorageEngine {
    private static final Key EMPTY = Key.of(new byte[0]);

    private final EngineConfig config;
    private final LsmOptions options;
    private final LongSupplier clock;
    private final RecordGuard guard;
    private final EngineCounters counters = new EngineCounters();
    private final LsmMetrics metrics;
    private final PointReads reads;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition roomForWrites = writeLock.newCondition();
    private final Condition workChanged = writeLock.newCondition();
    private final FileChannel lockFile;
    private final FileLock directoryLock;
    private final CommitLog log;
    private final TableBuilder builder;
    private final DiskSpace disk;
    private final Thread flusher;
    private final Thread compactor;
    /** Paces compaction's writes: the configured budget, lifted while the tables are past the backlog bound. */
    private final RateLimiter compactionLimiter;
    private volatile View current;
    private long lastSeq;
    private long segmentId;
    private volatile boolean stopping;
    private int compactionsRunning;
    private volatile boolean noSpaceLogged;
    /** Whether the tables are past the backlog bound: set as each view is published, read by compaction's limiter. */
    private volatile boolean backlogged;
    /**
     * True while the compactor leaves the run it picked for want of space (its inputs' size beyond what the reserve
     * leaves free): a caller waiting for compactions to end does not wait for that one. Under the write lock.
     */
    private boolean compactionDeferred;
    /** The last flush's failure, other than no space; null once a flush succeeds. */
    private volatile Throwable flushFailure;
    /** Segments of flushed memtables not yet deleted (a deletion failed): tried again after each flush. */
    private final java.util.Set<Long> undeletedSegments = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private LsmEngine(EngineConfig config, LsmOptions options, LongSupplier clock, LsmMetrics metrics,
                      FileChannel lockFile, FileLock directoryLock, Recovered recovered, DiskSpace disk,
                      CommitLog.SegmentFiles segmentFiles, PointReads reads) throws IOException {
        this.config = config;
        this.options = options;
        this.clock = clock;
        this.metrics = metrics;
        this.guard = new RecordGuard(config);
        this.lockFile = lockFile;
        this.directoryLock = directoryLock;
        this.disk = disk;
        this.builder = recovered.builder();
        this.lastSeq = recovered.lastSeq();
        this.segmentId = recovered.segmentId();
        this.log = new CommitLog(config.storeDirectory(), segmentId, options, metrics, maxRecordBytes(config),
            segmentFiles);
        // the replayed memtable waits for the flusher like any frozen one: a start needs no room for a new table
        this.current = new View(new Memtable(segmentId), recovered.replayed() == null ? List.of()
            : List.of(recovered.replayed()), recovered.tables());
        recovered.tables().forEach(SSTable::release);
        this.reads = reads;
        noteBacklog(current.tables().size());
        this.compactionLimiter = new RateLimiter(options.compactionBytesPerSecond(), () -> backlogged,
            metrics.compactionBytesUnpaced);
        reads.tablesChanged(tableBytes(current), config.storeName());
        this.flusher = Thread.ofPlatform().daemon().name("lsm-flush-" + config.storeName()).unstarted(this::runFlusher);
        this.compactor = Thread.ofPlatform().daemon().name("lsm-compact-" + config.storeName())
            .unstarted(this::runCompactor);
    }

    /**
     * Opens (creating if needed) the store in {@code config.storeDirectory()}: sets corrupt tables aside,
     * replays the commit log into a memtable that is flushed in the background, and starts the flush and
     * compaction threads. Opening writes nothing but an empty commit log segment, so it works on a full disk.
     *
     * @param clock wall-clock milliseconds, for tombstone grace
     * @throws KvException with {@code STORAGE_FAILURE} when the directory cannot be used or is in use
     */
    public static LsmEngine open(EngineConfig config, LsmOptions options, LongSupplier clock) {
        return open(config, options, clock, null);
    }

    /** As {@link #open(EngineConfig, LsmOptions, LongSupplier)}, with the free space read from {@code probe}. */
    static LsmEngine open(EngineConfig config, LsmOptions options, LongSupplier clock, DiskSpace.Probe probe) {
        return open(config, options, clock, probe, CommitLog.SegmentFiles.REAL);
    }

    /** As {@link #open(EngineConfig, LsmOptions, LongSupplier, DiskSpace.Probe)}, with the commit log's files. */
    static LsmEngine open(EngineConfig config, LsmOptions options, LongSupplier clock, DiskSpace.Probe probe,
                          CommitLog.SegmentFiles segmentFiles) {
        return open(config, options, clock, probe, segmentFiles, PointReads.of(options.dataReads()));
    }

    /**
     * As {@link #open(EngineConfig, LsmOptions, LongSupplier, DiskSpace.Probe, CommitLog.SegmentFiles)}, with how
     * point reads fetch blocks.
     */
    static LsmEngine open(EngineConfig config, LsmOptions options, LongSupplier clock, DiskSpace.Probe probe,
                          CommitLog.SegmentFiles segmentFiles, PointReads reads) {
        Path directory = config.storeDirectory();
        LsmMetrics metrics = new LsmMetrics();
        FileChannel lockFile = null;
        Recovered recovered = null;
        LsmEngine engine;
        try {
            Directories.create(directory);
            lockFile = FileChannel.open(directory.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = lockFile.tryLock();
            if (lock == null) {
                throw new KvException(ErrorCode.STORAGE_FAILURE, "store " + directory + " is in use by another process");
            }
            DiskSpace.Probe space = probe != null ? probe : DiskSpace.Probe.of(directory);
            DiskSpace disk = new DiskSpace(directory, space, options.reserveBytes(space.totalBytes()), metrics);
            recovered = recover(config, options, clock, metrics, reads, segmentFiles);
            engine = new LsmEngine(config, options, clock, metrics, lockFile, lock, recovered, disk, segmentFiles,
                reads);
        } catch (IOException | UncheckedIOException | java.nio.channels.OverlappingFileLockException e) {
            abandon(recovered, lockFile);
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot open lsm store " + directory + ": " + e);
        } catch (RuntimeException | Error e) {
            abandon(recovered, lockFile);
            throw e;
        }
        try {
            engine.flusher.start();
            engine.compactor.start();
        } catch (RuntimeException | Error e) {
            // a thread that could not start: the made engine closes itself (threads, log, tables, lock), and the
            // lock is not let go of while anything it started may still run
            try {
                engine.close();
            } catch (RuntimeException | Error notClosed) {
                e.addSuppressed(notClosed);
            }
            throw e;
        }
        return engine;
    }

    /**
     * Undoes a failed open before an engine was made: releases the tables recovery opened (the engine takes them
     * over in its constructor, which fails, if at all, before then, creating the commit log) and the directory's
     * lock.
     */
    private static void abandon(Recovered recovered, FileChannel lockFile) {
        if (recovered != null) {
            recovered.tables().forEach(SSTable::release);
        }
        closeQuietly(lockFile);
    }

    /** @param replayed what the commit log held beyond the tables, or null when nothing */
    private record Recovered(List<SSTable> tables, TableBuilder builder, long lastSeq, long segmentId,
                             Memtable replayed) {
    }

    /**
     * Opens the tables and replays the commit log into one memtable that keeps the replayed segments until it is
     * flushed. Writing it to a table here would need free space the size of the log before the node could start.
     */
    private static Recovered recover(EngineConfig config, LsmOptions options, LongSupplier clock, LsmMetrics metrics,
                                     PointReads reads, CommitLog.SegmentFiles segmentFiles)
        throws IOException {
        Path directory = config.storeDirectory();
        // what the store holds was accepted under the limits of its day: a limit lowered since must not make it
        // unreadable (a start, a scan or a compaction failing on a key it kept), so it is read back under the
        // ceilings; the configured limits bound new writes only
        Recovery recovery = new Recovery(directory, Limits.CEILING, metrics, reads);
        recovery.scan();
        List<SSTable> tables = new ArrayList<>(recovery.tables());
        try {
            return replayOnto(directory, options, clock, metrics, reads, segmentFiles, recovery, tables);
        } catch (IOException | RuntimeException | Error e) {
            tables.forEach(SSTable::release);
            throw e;
        }
    }

    /** The rest of {@link #recover}, once the tables are open: replays the commit log. */
    private static Recovered replayOnto(Path directory, LsmOptions options, LongSupplier clock, LsmMetrics metrics,
                                        PointReads reads, CommitLog.SegmentFiles segmentFiles, Recovery recovery,
                                        List<SSTable> tables) throws IOException {
        TableBuilder builder = new TableBuilder(directory, options, Limits.CEILING, metrics, clock,
            recovery.nextGeneration(), reads);
        long flushed = recovery.flushedSeq();
        Memtable replayed = new Memtable(recovery.segments());
        CommitLogReplay replay = new CommitLogReplay(Limits.CEILING, metrics);
        long lastSeq = flushed;
        long lastSegment = 0;
        List<Long> segments = recovery.segments();
        // the log's tail: the newest segment that holds anything (a crash while the log rolled leaves the next
        // segment created and empty, and the one before it torn)
        long tail = segments.isEmpty() ? 0 : segments.getFirst();
        // a damaged segment left whole at a start is followed by that start's segment, empty if nothing came
        java.util.Set<Long> damaged = new java.util.HashSet<>();
        for (long segment : segments) {
            Path path = CommitLog.segmentPath(directory, segment);
            if (Files.exists(CommitLogReplay.damagedMark(path))) {
                damaged.add(segment);
            } else if (Files.size(path) > 0) {
                tail = segment;
            }
        }
        List<Long> deletable = new ArrayList<>();
        for (long segment : segments) {
            Path path = CommitLog.segmentPath(directory, segment);
            CommitLogReplay.Replayed read = replay.replay(path, flushed, replayed::apply,
                segment >= tail && !damaged.contains(segment), segmentFiles);
            lastSeq = Math.max(lastSeq, read.highestSeq());
            if (!read.keep()) {
                deletable.add(segment);
            }
            lastSegment = segment;
        }
        if (replayed.isEmpty()) {
            // the tables that made these segments redundant are named durably first (a file system that does not
            // order a rename before a later delete could otherwise keep the delete and lose the name)
            Directories.sync(directory);
            for (long segment : deletable) {
                Files.deleteIfExists(CommitLog.segmentPath(directory, segment));
            }
        }
        return new Recovered(tables, builder, lastSeq, lastSegment + 1,
            replayed.isEmpty() ? null : replayed.withSegments(deletable));
    }

    private static int maxRecordBytes(EngineConfig config) {
        return RecordCodec.HEADER_BYTES + config.limits().maxKeyBytes() + config.maxVersionBytes()
            + config.limits().maxValueBytes();
    }

    @Override
    public String name() {
        return LsmEngineProvider.NAME;
    }

    @Override
    public boolean isVolatile() {
        return false;
    }

    @Override
    public void put(long token, Key key, byte[] version, byte[] value) {
        guard.checkWrite(key, version, Objects.requireNonNull(value, "value"));
        StorageRecord record = StorageRecord.live(new StorageKey(token, key), version, value);
        write(record, version, value);
        counters.onPut(record.sizeInBytes());
    }

    @Override
    public void delete(long token, Key key, byte[] version) {
        guard.checkWrite(key, version, null);
        StorageRecord tombstone = StorageRecord.tombstone(new StorageKey(token, key), version);
        write(tombstone, version, null);
        counters.onDelete(tombstone.sizeInBytes());
    }

    /** Logs and applies {@code record}; {@code version} and {@code value} are its parts, encoded without copies. */
    private void write(StorageRecord record, byte[] version, byte[] value) {
        long position;
        writeLock.lock();
        try {
            guard.checkOpen();
            disk.admit(record.sizeInBytes() + CommitLog.FRAME_BYTES + RecordCodec.HEADER_BYTES);
            if (current.active().bytes() >= options.memtableBytes()) {
                // the roll after an earlier write failed: try again while a failure can still refuse this write
                freeze();
            }
            awaitRoom();
            Entry entry = new Entry(record, ++lastSeq, clock.getAsLong());
            position = log.append(record.token(), record.key(), version, value, entry.seq(), entry.writeMillis());
            current.active().apply(entry);
            metrics.userBytes.add(record.sizeInBytes());
            freezeAfterWrite();
        } catch (IOException e) {
            throw DiskSpace.isNoSpace(e) ? disk.onWriteNoSpace(e) : failure("commit log write failed", e);
        } finally {
            writeLock.unlock();
        }
        log.awaitDurable(position);
    }

    /**
     * Writers wait while too many frozen memtables wait for the flusher, so memory stays bounded; when the flusher
     * cannot write (no space, or its last attempt failed otherwise: too many open files, a table that does not read
     * back, an I/O error) they are refused instead, so a failing flush never blocks the caller for good.
     */
    private void awaitRoom() {
        boolean stalled = false;
        while (current.frozen().size() >= options.maxImmutableMemtables()) {
            if (disk.flushBlocked()) {
                throw disk.refuse();
            }
            Throwable failing = flushFailure;
            if (failing != null) {
                metrics.writesRefusedFlushFailing.increment();
                throw new KvException(ErrorCode.STORAGE_FAILURE, "write refused: " + current.frozen().size()
                    + " memtables wait to be written to SSTables in " + config.storeDirectory() + " and the last"
                    + " attempt failed (" + failing + "); reads are still served, writes resume once a flush"
                    + " succeeds (retried every second)");
            }
            if (!stalled) {
                metrics.writeStalls.increment();
                stalled = true;
            }
            roomForWrites.awaitUninterruptibly();
            guard.checkOpen();
        }
    }

    /**
     * Freezes a full active memtable once a write is in it. The write succeeded whatever happens here: a roll that
     * fails (no room for the new segment) is counted and tried again by the next write, which goes on to the
     * current segment and memtable meanwhile; a failed fsync poisons the log, and the write's wait for durability
     * reports it.
     */
    private void freezeAfterWrite() {
        if (current.active().bytes() < options.memtableBytes()) {
            return;
        }
        try {
            freeze();
        } catch (IOException | KvException e) {
            // counted by freeze; the write stands
        }
    }

    /** Freezes the active memtable and starts a new one in a new commit log segment. Under the write lock. */
    private void freeze() throws IOException {
        View view = current;
        if (view.active().isEmpty()) {
            return;
        }
        // the id is taken only once the segment exists, so a failed roll leaves the memtable and log as they were
        try {
            log.roll(segmentId + 1);
        } catch (IOException | KvException e) {
            metrics.commitLogRollFailures.increment();
            throw e;
        }
        segmentId++;
        List<Memtable> frozen = new ArrayList<>(view.frozen().size() + 1);
        frozen.add(view.active());
        frozen.addAll(view.frozen());
        publish(new View(new Memtable(segmentId), frozen, view.tables()));
        workChanged.signalAll();
    }

    /** Makes {@code next} the current view. Under the write lock. */
    private void publish(View next) {
        View previous = current;
        current = next;
        noteBacklog(next.tables().size());
        previous.release();
        reads.tablesChanged(tableBytes(next), config.storeName());
    }

    private static long tableBytes(View view) {
        long bytes = 0;
        for (SSTable table : view.tables()) {
            bytes += table.sizeInBytes();
        }
        return bytes;
    }

    private View acquire() {
        while (true) {
            guard.checkOpen();
            View view = current;
            if (view.tryAcquire()) {
                return view;
            }
        }
    }

    @Override
    public StorageRecord get(long token, Key key) {
        guard.checkOpen();
        StorageKey storageKey = new StorageKey(token, key);
        View view = acquire();
        Entry found;
        try {
            found = find(view, storageKey);
        } finally {
            view.release();
        }
        counters.onGet(found != null);
        return found == null ? null : found.record();
    }

    private static Entry find(View view, StorageKey storageKey) {
        Entry found = view.active().get(storageKey);
        for (int i = 0; found == null && i < view.frozen().size(); i++) {
            found = view.frozen().get(i).get(storageKey);
        }
        List<SSTable> tables = view.tables();
        if (found != null || tables.isEmpty()) {
            return found;
        }
        byte[] keyBytes = storageKey.key().toByteArray();
        MemorySegment key = MemorySegment.ofArray(keyBytes);
        long hash = BloomFilter.hash(storageKey.token(), keyBytes);
        for (int i = 0; found == null && i < tables.size(); i++) {
            found = tables.get(i).get(storageKey.token(), key, hash);
        }
        return found;
    }

    @Override
    public void scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        guard.checkOpen();
        View view = acquire();
        long[] visited = {0};
        try {
            if (startExclusive < endInclusive) {
                scanRange(view, startExclusive, endInclusive, visitor, visited);
            } else if (scanRange(view, startExclusive, Long.MAX_VALUE, visitor, visited)) {
                visit(view, new StorageKey(Long.MIN_VALUE, EMPTY), endInclusive, visitor, visited);
            }
        } finally {
            view.release();
        }
        counters.onScan(visited[0]);
    }

    /** Tokens in (after, through]. @return false when the visitor stopped the scan */
    private static boolean scanRange(View view, long after, long through, RecordVisitor visitor, long[] visited) {
        return after == Long.MAX_VALUE || visit(view, new StorageKey(after + 1, EMPTY), through, visitor, visited);
    }

    private static boolean visit(View view, StorageKey from, long through, RecordVisitor visitor, long[] visited) {
        EntryCursor merged = merged(view, from);
        for (Entry entry = merged.next(); entry != null && entry.key().token() <= through; entry = merged.next()) {
            visited[0]++;
            if (!visitor.visit(entry.record())) {
                return false;
            }
        }
        return true;
    }

    private static EntryCursor merged(View view, StorageKey from) {
        List<EntryCursor> sources = new ArrayList<>();
        for (Memtable memtable : view.memtables()) {
            sources.add(memtable.cursor(from));
        }
        for (SSTable table : view.tables()) {
            sources.add(table.cursor(from));
        }
        return new MergeCursor(sources);
    }

    /** Forces the commit log: everything written so far survives a crash of the machine. */
    @Override
    public void flush() {
        guard.checkOpen();
        log.sync();
        counters.onFlush();
    }

    @Override
    public StorageMetrics metrics() {
        View view = current;
        long records = view.active().size();
        for (Memtable memtable : view.frozen()) {
            records += memtable.size();
        }
        int setAside = 0;
        for (SSTable table : view.tables()) {
            records += table.meta().records();
            setAside += table.leftOutOfCompaction() ? 1 : 0;
        }
        long dataBytes = view.memtableBytes() + tableBytes(view);
        disk.refresh();
        return counters.snapshot(records, dataBytes, metrics.snapshot(view.tables().size(), setAside,
            view.memtableBytes(), disk, reads.mapped()));
    }

    // ---- background work -------------------------------------------------------------------------------

    private void runFlusher() {
        while (true) {
            Memtable oldest;
            writeLock.lock();
            try {
                while (!stopping && current.frozen().isEmpty()) {
                    workChanged.awaitUninterruptibly();
                }
                if (stopping) {
                    return;
                }
                oldest = current.frozen().getLast();
            } finally {
                writeLock.unlock();
            }
            flushMemtable(oldest);
        }
    }

    private void flushMemtable(Memtable memtable) {
        SSTable table;
        try {
            table = builder.build(memtable.cursor(new StorageKey(Long.MIN_VALUE, EMPTY)), memtable.size(),
                new long[0], Long.MAX_VALUE, Long.MIN_VALUE, RateLimiter.UNLIMITED);
        } catch (IOException | RuntimeException | Error e) {
            // an Error too (an InternalError for a fault under the new table's mapping): the flusher retries
            // instead of ending, which would leave writers waiting for room for good
            onFlushFailed(e);
            return;
        }
        flushFailure = null;
        if (disk.flushBlocked()) {
            disk.onFlush(false);
            noSpaceLogged = false;
        }
        writeLock.lock();
        try {
            View view = current;
            List<Memtable> frozen = new ArrayList<>(view.frozen());
            frozen.remove(memtable);
            List<SSTable> tables = new ArrayList<>(view.tables().size() + 1);
            tables.add(table);
            tables.addAll(view.tables());
            publish(new View(view.active(), frozen, tables));
            metrics.memtableFlushes.increment();
            metrics.flushBytesWritten.add(table.sizeInBytes());
            roomForWrites.signalAll();
            workChanged.signalAll();
        } finally {
            writeLock.unlock();
        }
        undeletedSegments.addAll(memtable.segments());
        IOException failed = null;
        // every segment is tried, and those a failure left are tried again after each later flush; only a failure
        // of this memtable's own segments is reported (and paused for): one that stays undeletable is told once
        for (java.util.Iterator<Long> segments = undeletedSegments.iterator(); segments.hasNext(); ) {
            long segment = segments.next();
            try {
                log.delete(segment);
                segments.remove();
            } catch (IOException e) {
                if (failed == null && memtable.segments().contains(segment)) {
                    failed = e;
                }
            }
        }
        if (failed != null) {
            backgroundFailure("could not delete a flushed commit log segment (tried again after the next flush)",
                failed);
        }
    }

    /**
     * A failed flush refuses the writes that would wait for room until a retry succeeds (as {@code DISK_FULL} when it
     * found no space); writers waiting for room are told.
     */
    private void onFlushFailed(Throwable e) {
        // counted before a writer can be refused for it: one that reads the counters then sees the failure
        metrics.backgroundFailures.increment();
        if (DiskSpace.isNoSpace(e)) {
            disk.onFlush(true);
        } else {
            flushFailure = e;
        }
        writeLock.lock();
        try {
            roomForWrites.signalAll();
        } finally {
            writeLock.unlock();
        }
        logAndPause("flush of a memtable failed; retrying", e);
    }

    private void runCompactor() {
        Compaction compaction = compaction(token -> true, Long.MAX_VALUE);
        while (true) {
            View view;
            int[] run = null;
            writeLock.lock();
            try {
                while (!stopping && (compactionsRunning > 0 || (run = pick(current.tables())) == null)) {
                    workChanged.awaitUninterruptibly();
                }
                if (stopping || run == null) {
                    return;
                }
                view = acquire();
                compactionsRunning++;
            } finally {
                writeLock.unlock();
            }
            List<SSTable> inputs = view.tables().subList(run[0], run[1]);
            long needed = bytesOf(inputs);
            if (!roomFor(needed)) {
                // it would write until the disk is full, and every flush meanwhile would find no space
                deferCompaction(view, inputs.size(), needed);
                continue;
            }
            try {
                compact(compaction, view, run[0], run[1], false);
            } finally {
                endCompaction(view);
            }
        }
    }

    private static long bytesOf(List<SSTable> tables) {
        return tables.stream().mapToLong(SSTable::sizeInBytes).sum();
    }

    /** @return true when writing {@code bytes} would leave at least the reserve free */
    private boolean roomFor(long bytes) {
        return disk.freeBytesNow() - disk.reserve() >= bytes;
    }

    /** Gives the picked run up for now (counted, logged once until one runs) and waits 5 s before looking again. */
    private void deferCompaction(View view, int tables, long needed) {
        metrics.compactionsDeferredNoSpace.increment();
        view.release();
        writeLock.lock();
        try {
            compactionsRunning--;
            if (!compactionDeferred) {
                System.getLogger("io.ringkv.storage.lsm").log(System.Logger.Level.WARNING, "compaction of " + tables
                    + " SSTables in " + config.storeDirectory() + " deferred: it needs up to "
                    + DiskSpace.human(needed) + " and " + DiskSpace.human(disk.freeBytes()) + " are free, of which "
                    + DiskSpace.human(disk.reserve()) + " stay for flushes (lsm option min-free-bytes); looking again"
                    + " as the tables change, at least every 5 s");
            }
            compactionDeferred = true;
            workChanged.signalAll();
            if (!stopping) {
                workChanged.await(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Notes whether the store holds more SSTables than {@code compaction-backlog-tables}: writes outran the paced
     * compaction, which then writes without its budget until they are down to the bound. Logged as it turns. Under
     * the write lock, as each view is published (the only time the tables change).
     */
    private void noteBacklog(int tables) {
        int bound = options.compactionBacklogTables();
        boolean now = bound > 0 && options.compactionBytesPerSecond() > 0 && tables > bound;
        if (now == backlogged) {
            return;
        }
        backlogged = now;
        System.getLogger("io.ringkv.storage.lsm").log(System.Logger.Level.INFO, now
            ? "store " + config.storeName() + " holds " + tables + " SSTables, more than compaction-backlog-tables ("
                + bound + "): compaction writes without its " + options.compactionBytesPerSecond() / (1024 * 1024)
                + " MiB/s budget until they are down to " + bound
            : "store " + config.storeName() + " holds " + tables + " SSTables: compaction is paced again");
    }

    private void endCompaction(View view) {
        view.release();
        writeLock.lock();
        try {
            compactionsRunning--;
            compactionDeferred = false;
            workChanged.signalAll();
        } finally {
            writeLock.unlock();
        }
    }

    private int[] pick(List<SSTable> tables) {
        long[] sizes = new long[tables.size()];
        boolean[] leftOut = new boolean[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = tables.get(i).sizeInBytes();
            // a table with a block that failed its checksum, or whose reads keep failing, fails every compaction of
            // it: it stays as it is (its other blocks still serve reads) until the node is rebuilt or its keys
            // repaired, and the rest compact
            leftOut[i] = tables.get(i).leftOutOfCompaction();
        }
        return CompactionPicker.pick(sizes, leftOut, options.compactionMinTables(), options.compactionMaxTables());
    }

    /** @param asked a caller waits for this compaction (a cleanup's): its failure is thrown to it, not only logged */
    private void compact(Compaction compaction, View view, int from, int to, boolean asked) {
        List<SSTable> inputs = view.tables().subList(from, to);
        SSTable output;
        try {
            output = compaction.run(inputs, view.tables().subList(to, view.tables().size()));
        } catch (java.util.concurrent.CancellationException e) {
            if (asked) {
                throw new KvException(ErrorCode.STORAGE_FAILURE, "compaction stopped: the store "
                    + config.storeDirectory() + " is closing");
            }
            return;
        } catch (IOException | RuntimeException e) {
            if (asked) {
                // a cleanup told "0 dropped" would report a success that did nothing
                throw e instanceof IOException io ? failure("compaction failed; its inputs stay in place", io)
                    : (RuntimeException) e;
            }
            backgroundFailure("compaction failed; its inputs stay in place", e);
            return;
        } catch (Error e) {
            if (asked) {
                throw e;
            }
            // an Error too: the compactor retries instead of ending, which would stop compaction until a restart
            backgroundFailure("compaction failed; its inputs stay in place", e);
            return;
        }
        writeLock.lock();
        try {
            View latest = current;
            List<SSTable> tables = new ArrayList<>(latest.tables());
            int at = tables.indexOf(inputs.getFirst());
            tables.removeAll(inputs);
            tables.add(at, output);
            inputs.forEach(SSTable::markObsolete);
            publish(new View(latest.active(), latest.frozen(), tables));
        } finally {
            writeLock.unlock();
        }
    }

    private void backgroundFailure(String what, Throwable e) {
        metrics.backgroundFailures.increment();
        logAndPause(what, e);
    }

    /** Logs a background failure (a full disk once) and waits before the next attempt. */
    private void logAndPause(String what, Throwable e) {
        boolean noSpace = DiskSpace.isNoSpace(e);
        // a full disk is logged once until a flush succeeds again, not at every retry
        if (!noSpace || !noSpaceLogged) {
            noSpaceLogged = noSpace;
            System.getLogger("io.ringkv.storage.lsm").log(System.Logger.Level.ERROR,
                what + " in " + config.storeDirectory() + (noSpace ? " (disk full: " + DiskSpace.human(
                    disk.freeBytes()) + " free; retrying every 5 s, writes refused meanwhile)" : ""), e);
        }
        writeLock.lock();
        try {
            // wait before the next attempt instead of retrying in a tight loop; a full disk longer, since each
            // attempt writes until the space runs out
            if (!stopping) {
                workChanged.await(noSpace ? 5 : 1, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            writeLock.unlock();
        }
    }

    // ---- operations for tests, tools and the property test ---------------------------------------------

    /** Freezes the active memtable and waits until every frozen memtable is an SSTable. */
    public void flushMemtables() {
        writeLock.lock();
        try {
            guard.checkOpen();
            freeze();
            // a flusher backing off after a failure (a full disk) tries again now
            workChanged.signalAll();
            while (!current.frozen().isEmpty()) {
                guard.checkOpen();
                workChanged.awaitUninterruptibly();
            }
        } catch (IOException e) {
            throw failure("memtable flush failed", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Flushes the memtables, then waits until no compaction is due or running. */
    public void awaitCompactions() {
        flushMemtables();
        writeLock.lock();
        try {
            awaitNoCompaction();
        } finally {
            writeLock.unlock();
        }
    }

    /** @return a compaction keeping the entries {@code keep} accepts, paced by the engine's one limiter */
    private Compaction compaction(java.util.function.LongPredicate keep, long keepAfterSeq) {
        return new Compaction(builder, options, config.purgeGate(), config.expiry(), metrics, clock, compactionLimiter,
            () -> stopping, keep, keepAfterSeq);
    }

    /** Waits until no compaction is due or running. Under the write lock. */
    private void awaitNoCompaction() {
        while (compactionsRunning > 0 || !compactionDeferred && pick(current.tables()) != null) {
            guard.checkOpen();
            workChanged.awaitUninterruptibly();
        }
    }

    /** Flushes the memtables and merges every SSTable into one, purging tombstones past their grace the gate allows. */
    public void compactAll() {
        // a single table is rewritten too when it may hold tombstones to purge or values that expired
        compactEverything(token -> true, view -> view.tables().size() > 1 || tombstonesIn(view) > 0
            || !view.tables().isEmpty() && config.expiry() != io.ringkv.storage.RecordExpiry.NEVER);
    }

    /**
     * Flushes the memtables and rewrites every SSTable into one without the entries {@code keep} rejects (Cassandra's
     * cleanup). Writes made meanwhile land in the memtable, or in tables flushed after the call began, and stay.
     */
    @Override
    public long dropUnless(java.util.function.LongPredicate keep) {
        guard.checkOpen();
        return compactEverything(keep, view -> !view.tables().isEmpty());
    }

    /**
     * Once the memtables are flushed and no compaction is due, merges every SSTable into one (when {@code worth} says
     * so), dropping the entries {@code keep} rejects.
     *
     * @return the entries dropped
     */
    private long compactEverything(java.util.function.LongPredicate keep, java.util.function.Predicate<View> worth) {
        long upTo;
        writeLock.lock();
        try {
            upTo = lastSeq;
        } finally {
            writeLock.unlock();
        }
        flushMemtables();
        writeLock.lock();
        View view;
        try {
            // waiting and taking the compaction slot under one lock: released between them, a flush could let the
            // background compactor start on tables this one rewrites too, and the second to finish found its
            // inputs gone
            awaitNoCompaction();
            view = acquire();
            compactionsRunning++;
        } finally {
            writeLock.unlock();
        }
        try {
            if (!worth.test(view)) {
                return 0;
            }
            // no room check here: what a cleanup keeps is unknown until it ran (dropping every record writes
            // nothing), and one that finds no space fails and says so, its inputs in place
            // while it waited for a compaction to end, writes made after the call may have been flushed into the
            // tables too (some in the memtable it froze): those stay, whatever keep says
            Compaction compaction = compaction(keep, upTo);
            compact(compaction, view, 0, view.tables().size(), true);
            return compaction.dropped();
        } finally {
            endCompaction(view);
        }
    }

    private static long tombstonesIn(View view) {
        return view.tables().stream().mapToLong(table -> table.meta().tombstones()).sum();
    }

    /** @return the SSTable files currently serving reads, newest first */
    public List<Path> tableFiles() {
        return current.tables().stream().map(SSTable::path).toList();
    }

    @Override
    public void close() {
        if (!guard.close()) {
            return;
        }
        writeLock.lock();
        try {
            stopping = true;
            workChanged.signalAll();
            roomForWrites.signalAll();
        } finally {
            writeLock.unlock();
        }
        joinQuietly(flusher);
        joinQuietly(compactor);
        try {
            log.close();
        } catch (IOException e) {
            throw failure("commit log close failed", e);
        } finally {
            current.release();
            closeQuietly(lockFile);
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing the lock file releases the lock; nothing else depends on it
            }
        }
    }

    private KvException failure(String what, IOException e) {
        return new KvException(ErrorCode.STORAGE_FAILURE, what + " in " + config.storeDirectory() + ": " + e, e);
    }
}

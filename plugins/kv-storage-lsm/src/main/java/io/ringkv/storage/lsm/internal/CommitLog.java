package io.ringkv.storage.lsm.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.lsm.LsmOptions;
import io.ringkv.storage.lsm.SyncPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The write-ahead log: append-only segments, one per memtable, of records framed as
 * {@code length i32, crc32c i32, record} (the record in {@link RecordCodec}'s encoding). Under {@code sync=periodic}
 * appends are kept in a buffer of {@code log-buffer-bytes} and written to the segment together, by the next sync
 * (every {@code flush()} runs one) or when the buffer is full: one {@code write} for many records. A killed process
 * loses what no sync covered. With {@code log-buffer-bytes=0}, and under {@code always} and {@code batch} (where a
 * put waits for its sync), every append reaches the operating system before the write returns, and a killed
 * process loses nothing. The sync policy decides when the log is forced to the disk and whether writers wait for
 * it. Concurrent writers waiting for durability share one fsync (group commit).
 *
 * <p>A buffer write that fails (a full disk) is cut off the segment and its records stay buffered: the sync that
 * ran it fails without poisoning the log, with {@code DISK_FULL} when the file system had no space (the records are
 * applied and kept: a later sync that succeeds makes them durable) and {@code STORAGE_FAILURE} for any other error
 * (unless the partial write could not be cut off either: then nothing written after it could be replayed, the log is
 * poisoned, and the sync fails with {@code STORAGE_FAILURE}), appends are refused while the buffer has no room, and
 * the next sync writes the records again.
 *
 * <p>A failed fsync poisons the log: on Linux the kernel drops the dirty pages it could not write and reports the
 * error once, so a later fsync succeeds without the lost data. Appends after it, and every wait for durability,
 * are refused with {@code STORAGE_FAILURE} until a restart replays what the segments really hold; nothing appended
 * before it is ever reported durable.
 *
 * <p>{@link #append} and {@link #roll} are called by one writer at a time (the engine's write lock); the waits
 * and syncs may come from any thread.
 */
final class CommitLog implements AutoCloseable {
    static final int FRAME_BYTES = 8;

    /** How segments are created and forced: the file system, or a test's injected failures. */
    interface SegmentFiles {
        /** The file system. */
        SegmentFiles REAL = new SegmentFiles() {
        };

        /** Creates the segment at {@code path}, which must not exist. */
        default FileChannel create(Path path) throws IOException {
            return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        /** Forces what was written to {@code channel} to the disk. */
        default void force(FileChannel channel) throws IOException {
            channel.force(false);
        }

        /** Forces a segment (or its copy aside) read back at a start, before the engine answers. */
        default void forceReplayed(Path path, FileChannel channel) throws IOException {
            channel.force(false);
        }

        /** Deletes a segment whose records are all in tables, if it is still there. */
        default void delete(Path path) throws IOException {
            Files.deleteIfExists(path);
        }

        /** Closes a segment no longer written. */
        default void close(FileChannel channel) throws IOException {
            channel.close();
        }
    }

    private static final String PREFIX = "commitlog-";
    private static final String SUFFIX = ".log";

    private final Path directory;
    private final LsmOptions options;
    private final LsmMetrics metrics;
    private final SegmentFiles files;
    private final ByteBuffer frame;
    /** Records appended but not yet written to the segment (null when every append writes at once). */
    private final ByteBuffer pending;
    private final ReentrantLock pendingLock = new ReentrantLock();
    /** Bytes written to the current segment's file (under {@code pendingLock}). */
    private long fileBytes;
    private final CRC32C crc = new CRC32C();
    private final ReentrantLock syncLock = new ReentrantLock();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition durable = waitLock.newCondition();
    private final Thread syncer;
    private volatile FileChannel channel;
    private volatile long written;
    /**
     * Bytes in the current segment: where the next append starts, known without asking the file (a syscall). Only
     * the engine's writer touches it: appends and rolls run under its write lock.
     */
    private long segmentBytes;
    private volatile long synced;
    private volatile boolean closed;
    /** Why the log refuses writes after a failed fsync, or null. */
    private volatile String poisoned;
    /** A partial write could not be cut off the segment (set by whichever thread wrote). */
    private volatile boolean broken;

    /**
     * Starts a new segment.
     *
     * @param segmentId the first segment's id
     * @param maxRecordBytes the largest encoded record the engine accepts
     */
    CommitLog(Path directory, long segmentId, LsmOptions options, LsmMetrics metrics, int maxRecordBytes,
              SegmentFiles files) throws IOException {
        this.directory = directory;
        this.options = options;
        this.metrics = metrics;
        this.files = files;
        this.frame = ByteBuffer.allocateDirect(FRAME_BYTES + maxRecordBytes).order(ByteOrder.LITTLE_ENDIAN);
        // room for two of the largest records at least, so one always fits after a drain; only where a put does
        // not wait for durability itself (a put that does would fail after it was applied when the write fails)
        this.pending = options.logBufferBytes() == 0 || options.sync() != SyncPolicy.PERIODIC ? null
            : ByteBuffer.allocateDirect((int) Math.max(options.logBufferBytes(), 2L * (FRAME_BYTES + maxRecordBytes)));
        this.channel = create(segmentId);
        this.syncer = options.sync() == SyncPolicy.ALWAYS ? null
            : Thread.ofPlatform().daemon().name("lsm-commitlog-sync").start(this::runSyncer);
    }

    static Path segmentPath(Path directory, long id) {
        return directory.resolve(PREFIX + String.format("%016d", id) + SUFFIX);
    }

    /** @return the segment id in {@code name}, or -1 when it does not name a segment */
    static long segmentId(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Creates segment {@code id}; on failure nothing is left behind, so the same id can be tried again. */
    private FileChannel create(long id) throws IOException {
        Path path = segmentPath(directory, id);
        FileChannel created = files.create(path);
        try {
            Directories.sync(directory);
        } catch (IOException e) {
            discardSegment(created, path, e);
            throw e;
        }
        return created;
    }

    private static void discardSegment(FileChannel segment, Path path, IOException cause) {
        try {
            segment.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Appends a record to the current segment from its parts (the caller's arrays, encoded without a copy).
     *
     * @param value the value, or null for a tombstone
     * @return the log position just past the record, for {@link #awaitDurable}
     */
    long append(long token, Key key, byte[] version, byte[] value, long seq, long writeMillis) throws IOException {
        frame.clear();
        frame.position(FRAME_BYTES);
        RecordCodec.encode(token, key, version, value, seq, writeMillis, frame);
        int length = frame.position() - FRAME_BYTES;
        crc.reset();
        crc.update(frame.slice(FRAME_BYTES, length));
        frame.putInt(0, length).putInt(4, (int) crc.getValue());
        frame.flip();
        FileChannel target = channel;
        checkNotPoisoned();
        if (broken) {
            throw new IOException("commit log segment in " + directory + " ends in a partial record that could not"
                + " be removed; restart the node");
        }
        long start = segmentBytes;
        if (pending != null) {
            pendingLock.lock();
            try {
                if (pending.remaining() < frame.remaining()) {
                    drainLocked(target);
                }
                pending.put(frame);
            } finally {
                pendingLock.unlock();
            }
        } else {
            try {
                while (frame.hasRemaining()) {
                    target.write(frame);
                }
            } catch (IOException e) {
                discardPartial(target, start, e);
                throw e;
            }
            metrics.commitLogWrites.increment();
        }
        long position = written + FRAME_BYTES + length;
        segmentBytes = start + FRAME_BYTES + length;
        written = position;
        metrics.commitLogBytes.add(FRAME_BYTES + length);
        return position;
    }

    /**
     * Writes the records kept in memory to {@code target} in one go. On failure (a full disk) the part written is
     * cut off the segment and the records stay kept, to be written by the next drain. Under {@code pendingLock}.
     */
    private void drainLocked(FileChannel target) throws IOException {
        int end = pending.position();
        if (end == 0) {
            return;
        }
        checkNotPoisoned();
        pending.flip();
        try {
            while (pending.hasRemaining()) {
                target.write(pending);
            }
        } catch (IOException e) {
            metrics.commitLogWriteFailures.increment();
            discardPartial(target, fileBytes, e);
            pending.limit(pending.capacity()).position(end);
            if (broken) {
                // records written after the partial one would be cut off by the replay: none may be called durable
                poison("a commit log write failed half-way and could not be cut off", e);
            }
            throw e;
        }
        fileBytes += end;
        pending.clear();
        metrics.commitLogWrites.increment();
    }

    /** @return true when no append waits in the buffer */
    private boolean unbuffered() {
        if (pending == null) {
            return true;
        }
        pendingLock.lock();
        try {
            return pending.position() == 0;
        } finally {
            pendingLock.unlock();
        }
    }

    private void resetFileBytes() {
        if (pending != null) {
            pendingLock.lock();
            try {
                fileBytes = 0;
            } finally {
                pendingLock.unlock();
            }
        }
    }

    /**
     * @return the error of a sync whose buffered appends could not be written: they stay buffered, and the next sync
     *     writes them again. {@code DISK_FULL} when the file system had no space (a flush's caller, the storage
     *     stage, then waits for a later flush that succeeds, see {@link io.ringkv.storage.StorageEngine#flush()});
     *     {@code STORAGE_FAILURE} for any other error, or when the write that failed half-way poisoned the log. Only
     *     a sync throws it, never a put, where {@code DISK_FULL} would say the write stored nothing.
     */
    private KvException unwritten(IOException cause) {
        String reason = poisoned;
        if (reason != null) {
            return new KvException(ErrorCode.STORAGE_FAILURE, reason, cause);
        }
        boolean noSpace = DiskSpace.isNoSpace(cause);
        return new KvException(noSpace ? ErrorCode.DISK_FULL : ErrorCode.STORAGE_FAILURE, (noSpace ? "disk full: " : "")
            + "writing buffered commit log appends to " + directory + " failed (" + cause.getMessage() + "); they"
            + " stay buffered and the next sync writes them again", cause);
    }

    private void drain(FileChannel target) throws IOException {
        if (pending == null) {
            return;
        }
        pendingLock.lock();
        try {
            drainLocked(target);
        } finally {
            pendingLock.unlock();
        }
    }

    /**
     * Cuts a record that failed half-way (a full disk) off the segment: left there, it would end the segment's
     * replay and hide every record appended after it once space is freed. If even that fails, later appends are
     * refused rather than written after it.
     */
    private void discardPartial(FileChannel target, long start, IOException cause) {
        try {
            target.truncate(start);
            target.position(start);
        } catch (IOException e) {
            cause.addSuppressed(e);
            broken = true;
        }
    }

    /**
     * Forces the current segment and continues in a new one with id {@code segmentId}. When the new segment cannot
     * be created (a full disk) nothing changes: appends go on to the current segment and the roll can be tried
     * again. When the force fails the log is poisoned (see the class comment) and a {@code STORAGE_FAILURE} is
     * thrown.
     */
    void roll(long segmentId) throws IOException {
        checkNotPoisoned();
        FileChannel next = create(segmentId);
        syncLock.lock();
        try {
            FileChannel previous = channel;
            long target = written;
            try {
                drain(previous);
            } catch (IOException e) {
                // nothing changed: the records stay buffered for the current segment
                discardSegment(next, segmentPath(directory, segmentId), e);
                throw e;
            }
            try {
                files.force(previous);
            } catch (IOException e) {
                discardSegment(next, segmentPath(directory, segmentId), e);
                throw poison(e);
            }
            channel = next;
            segmentBytes = 0;
            resetFileBytes();
            markSynced(target);
            try {
                files.close(previous);
            } catch (IOException e) {
                // the previous segment is forced and no longer written: a failed close leaks its descriptor, no
                // more. Thrown, it would leave the engine naming the old segment while the log writes the new one,
                // and every later roll would fail to create a segment that exists
                System.getLogger("io.ringkv.storage.lsm").log(System.Logger.Level.WARNING,
                    "could not close the previous commit log segment in " + directory + " after forcing it (a failing"
                    + " device?)", e);
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** @return true when a failed fsync made the log refuse writes */
    boolean isPoisoned() {
        return poisoned != null;
    }

    private void checkNotPoisoned() {
        String reason = poisoned;
        if (reason != null) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, reason);
        }
    }

    /** Refuses every later append and wait for durability, wakes the waiters, and returns the error to throw. */
    private KvException poison(IOException cause) {
        return poison("commit log fsync failed", cause);
    }

    private KvException poison(String what, IOException cause) {
        if (poisoned == null) {
            metrics.commitLogSyncFailures.increment();
            poisoned = what + " in " + directory + " (" + cause.getMessage() + "): writes since the"
                + " last successful sync may not be on disk, so this store refuses writes; restart the node to"
                + " replay what the log holds";
        }
        signalWaiters();
        return new KvException(ErrorCode.STORAGE_FAILURE, poisoned, cause);
    }

    /** Returns once the write that ended at {@code position} is as durable as the sync policy promises. */
    void awaitDurable(long position) {
        switch (options.sync()) {
            case ALWAYS -> syncThrough(position);
            case BATCH -> {
                LockSupport.unpark(syncer);
                awaitSyncer(position);
            }
            case PERIODIC -> { }
        }
    }

    /** Forces everything appended so far, sharing the fsync with concurrent callers. */
    void sync() {
        syncThrough(written);
    }

    private void syncThrough(long position) {
        while (synced < position) {
            syncNow();
        }
    }

    private void awaitSyncer(long position) {
        waitLock.lock();
        try {
            while (synced < position && !closed) {
                checkNotPoisoned();
                durable.await(1, TimeUnit.SECONDS);
            }
            if (synced < position) {
                checkNotPoisoned();
                throw new KvException(ErrorCode.STORAGE_FAILURE, "the commit log in " + directory + " closed before"
                    + " the write was forced");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException(ErrorCode.STORAGE_FAILURE, "interrupted while waiting for the commit log sync");
        } finally {
            waitLock.unlock();
        }
    }

    /**
     * One fsync covering every append that finished before it started.
     *
     * @throws KvException with {@code DISK_FULL} (no space) or {@code STORAGE_FAILURE} (another error) when the
     *     buffered appends could not be written (they stay buffered, the log is not poisoned, see {@link #unwritten});
     *     with {@code STORAGE_FAILURE} when the fsync failed
     */
    private void syncNow() {
        syncLock.lock();
        try {
            checkNotPoisoned();
            long target = written;
            if (target > synced) {
                try {
                    drain(channel);
                } catch (IOException e) {
                    throw unwritten(e);
                }
                files.force(channel);
                markSynced(target);
            }
        } catch (IOException e) {
            // not retried: a second fsync would succeed without the pages the first one lost
            throw poison(e);
        } finally {
            syncLock.unlock();
        }
    }

    private void markSynced(long target) {
        if (target > synced) {
            synced = target;
            metrics.commitLogSyncs.increment();
        }
        signalWaiters();
    }

    private void signalWaiters() {
        if (options.sync() == SyncPolicy.BATCH) {
            waitLock.lock();
            try {
                durable.signalAll();
            } finally {
                waitLock.unlock();
            }
        }
    }

    /** Batch: sleeps until a writer waits, gathers writes for the window, syncs. Periodic: syncs every interval. */
    private void runSyncer() {
        long interval = TimeUnit.MILLISECONDS.toNanos(options.sync() == SyncPolicy.BATCH
            ? options.batchWindowMillis() : options.periodicSyncMillis());
        while (!closed && poisoned == null) {
            if (options.sync() == SyncPolicy.BATCH && written == synced) {
                LockSupport.park(this);
            }
            LockSupport.parkNanos(interval);
            try {
                if (written > synced && !closed) {
                    syncNow();
                }
            } catch (KvException | IllegalStateException e) {
                metrics.backgroundFailures.increment();
            }
        }
    }

    /** Deletes the segment with {@code id} once its memtable is safely in an SSTable. */
    void delete(long id) throws IOException {
        files.delete(segmentPath(directory, id));
    }

    /** Forces what was appended, stops the syncer and closes the segment. */
    @Override
    public void close() throws IOException {
        try {
            if (poisoned == null) {
                sync();
            }
        } finally {
            closed = true;
            if (syncer != null) {
                LockSupport.unpark(syncer);
                try {
                    syncer.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            syncLock.lock();
            try {
                channel.close();
            } finally {
                syncLock.unlock();
            }
            if (poisoned == null && unbuffered()) {
                markSynced(written);
            } else {
                signalWaiters();
            }
        }
    }
}

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
 * {@code length i32, crc32c i32, record} (the record in {@link RecordCodec}'s encoding). Every append reaches the
 * operating system before the write returns, so a killed process loses nothing; the sync policy decides when
 * the log is forced to the disk and whether writers wait for it. Concurrent writers waiting for durability share
 * one fsync (group commit).
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
    }

    private static final String PREFIX = "commitlog-";
    private static final String SUFFIX = ".log";

    private final Path directory;
    private final LsmOptions options;
    private final LsmMetrics metrics;
    private final SegmentFiles files;
    private final ByteBuffer frame;
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
    private boolean broken;

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
        try {
            while (frame.hasRemaining()) {
                target.write(frame);
            }
        } catch (IOException e) {
            discardPartial(target, start, e);
            throw e;
        }
        long position = written + FRAME_BYTES + length;
        segmentBytes = start + FRAME_BYTES + length;
        written = position;
        metrics.commitLogBytes.add(FRAME_BYTES + length);
        return position;
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
                files.force(previous);
            } catch (IOException e) {
                discardSegment(next, segmentPath(directory, segmentId), e);
                throw poison(e);
            }
            channel = next;
            segmentBytes = 0;
            previous.close();
            markSynced(target);
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
        if (poisoned == null) {
            metrics.commitLogSyncFailures.increment();
            poisoned = "commit log fsync failed in " + directory + " (" + cause.getMessage() + "): writes since the"
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
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException(ErrorCode.STORAGE_FAILURE, "interrupted while waiting for the commit log sync");
        } finally {
            waitLock.unlock();
        }
    }

    /** One fsync covering every append that finished before it started. */
    private void syncNow() {
        syncLock.lock();
        try {
            checkNotPoisoned();
            long target = written;
            if (target > synced) {
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
        Files.deleteIfExists(segmentPath(directory, id));
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
            if (poisoned == null) {
                markSynced(written);
            } else {
                signalWaiters();
            }
        }
    }
}

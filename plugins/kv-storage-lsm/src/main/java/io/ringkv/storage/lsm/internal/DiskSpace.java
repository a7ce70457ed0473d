package io.ringkv.storage.lsm.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decides whether the store may take another write, by the free space of the file system it lives on. Writes are
 * refused with {@link ErrorCode#DISK_FULL} while free space is below the reserve (so flushes, compactions and a
 * restart keep room, as Cassandra and ScyllaDB refuse writes before the disk is full) and after a write or a
 * flush failed for lack of space; the first write after space was freed goes through again, without a restart.
 *
 * <p>The file system is asked again after at most {@link #PROBE_EVERY_BYTES} written (a {@code statvfs}, not a
 * disk access), at every write while refusing, and when {@link #refresh()} finds the answer stale. The writer
 * calls {@link #admit} under the engine's write lock; the other methods are safe from any thread.
 */
final class DiskSpace {
    /** How much the engine writes between two looks at the file system while there is room. */
    static final long PROBE_EVERY_BYTES = 1 << 20;
    private static final long STALE_NANOS = 1_000_000_000L;

    /** The free space of a file system: the seam tests replace. */
    interface Probe {
        /** @return bytes this process may still write on the store's file system */
        long usableBytes() throws IOException;

        /** @return the file system's size in bytes */
        long totalBytes() throws IOException;

        /** @return the probe of the file system that holds {@code directory} */
        static Probe of(Path directory) throws IOException {
            FileStore store = Files.getFileStore(directory);
            return new Probe() {
                @Override
                public long usableBytes() throws IOException {
                    return store.getUsableSpace();
                }

                @Override
                public long totalBytes() throws IOException {
                    return store.getTotalSpace();
                }
            };
        }
    }

    private final Path directory;
    private final Probe probe;
    private final long reserve;
    private final LsmMetrics metrics;
    private long budget;
    private volatile long freeBytes;
    private volatile long probedAtNanos;
    private volatile boolean refusing;
    private volatile boolean writeFailedNoSpace;
    private volatile boolean flushFailedNoSpace;

    /** @param reserve writes are refused while fewer bytes than this are free */
    DiskSpace(Path directory, Probe probe, long reserve, LsmMetrics metrics) {
        this.directory = directory;
        this.probe = probe;
        this.reserve = reserve;
        this.metrics = metrics;
        probe();
    }

    /**
     * Lets a write of about {@code bytes} through, or refuses it. Under the engine's write lock.
     *
     * @throws KvException with {@link ErrorCode#DISK_FULL} saying how much is free and how much is needed
     */
    void admit(long bytes) {
        if (budget < bytes || isFull()) {
            long free = probe();
            writeFailedNoSpace = writeFailedNoSpace && free <= reserve;
            budget = Math.min(PROBE_EVERY_BYTES, (free - reserve) / 2);
            refusing = free - bytes < reserve || writeFailedNoSpace || flushFailedNoSpace;
            if (refusing) {
                throw refuse();
            }
        }
        budget -= bytes;
    }

    /** @return true while writes are refused (below the reserve, or the last write or flush found no space) */
    boolean isFull() {
        return refusing || writeFailedNoSpace || flushFailedNoSpace || freeBytes < reserve;
    }

    /** Records that a write failed for lack of space. @return the error the writer answers with */
    KvException onWriteNoSpace(IOException cause) {
        writeFailedNoSpace = true;
        budget = 0;
        probe();
        KvException refused = refuse();
        refused.addSuppressed(cause);
        return refused;
    }

    /** Records whether the last memtable flush failed for lack of space; while it does, writes are refused. */
    void onFlush(boolean noSpace) {
        flushFailedNoSpace = noSpace;
        probe();
    }

    /** @return true while the last flush failed for lack of space */
    boolean flushBlocked() {
        return flushFailedNoSpace;
    }

    /** @return the error a refused write answers with, counted */
    KvException refuse() {
        metrics.writesRefusedDiskFull.increment();
        String why = flushFailedNoSpace ? "; a memtable flush found no space" : writeFailedNoSpace
            ? "; the last write found no space" : "";
        return new KvException(ErrorCode.DISK_FULL, "disk full: the data directory " + directory + " has "
            + human(freeBytes) + " free, writes need at least " + human(reserve) + " (lsm option min-free-bytes"
            + why + "); reads are still served, writes resume once space is freed");
    }

    /**
     * Asks the file system again if the last answer is older than a second (for INFO): a disk where space was freed
     * shows as no longer full before the next write proves it.
     */
    void refresh() {
        if (System.nanoTime() - probedAtNanos > STALE_NANOS) {
            long free = probe();
            refusing = refusing && free - PROBE_EVERY_BYTES < reserve;
        }
    }

    long freeBytes() {
        return freeBytes;
    }

    /** @return the free space the file system reports now (a {@code statvfs}, as before each compaction) */
    long freeBytesNow() {
        return probe();
    }

    long reserve() {
        return reserve;
    }

    private long probe() {
        long free;
        try {
            free = probe.usableBytes();
        } catch (IOException e) {
            free = 0;
        }
        freeBytes = free;
        probedAtNanos = System.nanoTime();
        return free;
    }

    /** @return true when {@code failure} (or a cause) is the operating system saying the disk or quota is full */
    static boolean isNoSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t instanceof FileSystemException fs ? fs.getReason() : t.getMessage();
            if (t instanceof IOException && message != null && mentionsNoSpace(message)) {
                return true;
            }
            if (t instanceof KvException kv && kv.code() == ErrorCode.DISK_FULL) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentionsNoSpace(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        // ENOSPC and EDQUOT as the JDK reports them on Linux, macOS and Windows ("There is not enough space")
        return lower.contains("no space left") || lower.contains("disk quota exceeded")
            || lower.contains("not enough space");
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}

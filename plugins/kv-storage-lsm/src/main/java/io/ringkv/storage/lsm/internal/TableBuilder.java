package io.ringkv.storage.lsm.internal;

import io.ringkv.api.Limits;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** Writes new SSTables into the store's directory under fresh generations, and opens them. */
final class TableBuilder {
    private final Path directory;
    private final LsmOptions options;
    private final Limits limits;
    private final LsmMetrics metrics;
    private final LongSupplier clock;
    private final AtomicLong nextGeneration;
    private final PointReads reads;
    private final Opener opener;

    /** Opens a table just written (a seam for tests that fail it). */
    @FunctionalInterface
    interface Opener {
        SSTable open(Path path, Limits limits, LsmMetrics metrics, PointReads reads)
            throws IOException, CorruptTableException;
    }

    TableBuilder(Path directory, LsmOptions options, Limits limits, LsmMetrics metrics, LongSupplier clock,
                 long nextGeneration, PointReads reads) {
        this(directory, options, limits, metrics, clock, nextGeneration, reads, SSTable::open);
    }

    TableBuilder(Path directory, LsmOptions options, Limits limits, LsmMetrics metrics, LongSupplier clock,
                 long nextGeneration, PointReads reads, Opener opener) {
        this.opener = opener;
        this.directory = directory;
        this.options = options;
        this.limits = limits;
        this.metrics = metrics;
        this.clock = clock;
        this.nextGeneration = new AtomicLong(nextGeneration);
        this.reads = reads;
    }

    /**
     * Writes every entry of {@code source} to a new table.
     *
     * @param expectedRecords sizes the bloom filter
     * @param inputs generations the table replaces (empty for a flush)
     * @param coverFrom lowest sequence number the table stands for
     * @param coverTo highest sequence number the table stands for
     * @param limiter paces the writes
     * @return the table, open; its bytes are added to the flush or compaction counters by the caller
     */
    SSTable build(EntryCursor source, long expectedRecords, long[] inputs, long coverFrom, long coverTo,
                  RateLimiter limiter) throws IOException {
        long generation = nextGeneration.getAndIncrement();
        Path path = TableFiles.path(directory, generation);
        try {
            try (SSTableWriter writer = new SSTableWriter(path, options.blockBytes(),
                options.bloomFalsePositiveRate(), expectedRecords, limiter)) {
                writer.cover(coverFrom, coverTo);
                for (Entry entry = source.next(); entry != null; entry = source.next()) {
                    writer.add(entry);
                }
                writer.finish(generation, inputs, clock.getAsLong());
            }
            try {
                return opener.open(path, limits, metrics, reads);
            } catch (CorruptTableException e) {
                throw new IOException("a table just written does not read back: " + e.getMessage(), e);
            }
        } catch (IOException | RuntimeException | Error e) {
            // an Error too: the JVM's InternalError for a fault under the new table's mapping while it is verified
            removeUnused(path, e);
            throw e;
        }
    }

    /**
     * Removes a table that failed after it was renamed into place (the directory's sync, or its opening, failed):
     * the flush or compaction is tried again under a new generation, and this one, in no view, would be loaded at
     * the next start with data purged or dropped since, a deleted value back.
     */
    private void removeUnused(Path path, Throwable failure) {
        try {
            if (Files.deleteIfExists(path)) {
                Directories.sync(directory);
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}

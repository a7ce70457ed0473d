package io.ringkv.storage.lsm.internal;

import io.ringkv.api.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a store's directory holds when the engine opens: intact SSTables (compaction leftovers removed, corrupt
 * tables set aside), the commit log segments still to replay, and the numbers to continue from.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger("io.ringkv.storage.lsm");

    private final Path directory;
    private final Limits limits;
    private final LsmMetrics metrics;
    private final PointReads reads;
    private final List<SSTable> tables = new ArrayList<>();
    private final List<Long> segments = new ArrayList<>();
    private long nextGeneration = 1;

    Recovery(Path directory, Limits limits, LsmMetrics metrics, PointReads reads) {
        this.directory = directory;
        this.limits = limits;
        this.metrics = metrics;
        this.reads = reads;
    }

    /** Reads the directory; the tables come back newest first. */
    void scan() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            nextGeneration = Math.max(nextGeneration, TableFiles.generation(name) + 1);
            if (TableFiles.isTemporary(name)) {
                Files.delete(file);
            } else if (TableFiles.isTable(name)) {
                openTable(file);
            } else if (CommitLog.segmentId(name) >= 0) {
                segments.add(CommitLog.segmentId(name));
            }
        }
        dropCompactedInputs();
        tables.sort(Comparator.comparingLong((SSTable table) -> table.meta().maxSeq()).reversed());
        segments.sort(Long::compare);
    }

    private void openTable(Path file) throws IOException {
        try {
            SSTable table = SSTable.open(file, limits, metrics, reads);
            table.retain();
            tables.add(table);
        } catch (CorruptTableException e) {
            metrics.sstablesQuarantined.increment();
            Path aside = TableFiles.quarantined(file);
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.log(System.Logger.Level.ERROR, e.getMessage() + "; moved to " + aside
                + " and serving the rest; its keys need repair from other replicas");
        }
    }

    /** A compaction that died after writing its output but before deleting its inputs left them behind. */
    private void dropCompactedInputs() {
        Set<Long> replaced = new HashSet<>();
        for (SSTable table : tables) {
            for (long input : table.meta().inputs()) {
                replaced.add(input);
            }
        }
        tables.removeIf(table -> {
            if (!replaced.contains(table.meta().generation())) {
                return false;
            }
            table.markObsolete();
            table.release();
            return true;
        });
    }

    /** @return intact tables, newest first, each holding one reference the caller now owns */
    List<SSTable> tables() {
        return tables;
    }

    /** @return commit log segment ids, oldest first */
    List<Long> segments() {
        return segments;
    }

    long nextGeneration() {
        return nextGeneration;
    }

    /** @return the highest sequence number any table stands for; commit log entries up to it are flushed */
    long flushedSeq() {
        return tables.stream().mapToLong(table -> table.meta().maxSeq()).max().orElse(0);
    }
}

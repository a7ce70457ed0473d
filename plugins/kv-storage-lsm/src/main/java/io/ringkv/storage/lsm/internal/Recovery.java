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
        try {
            scanFiles();
        } catch (IOException | RuntimeException | Error e) {
            // the tables opened so far are let go of: a failed start leaks no mapping
            tables.forEach(SSTable::release);
            tables.clear();
            throw e;
        }
    }

    private void scanFiles() throws IOException {
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

    /**
     * Drops the tables a compaction replaced that are still on disk: those a table names as its inputs (a compaction
     * that died after writing its output but before deleting them), and any older table whose sequence range lies
     * within a newer one's. A compaction's inputs are adjacent and its output covers their whole range, so tables
     * serving reads never overlap; an older table inside a newer one's range is an ancestor at any depth. That
     * happens when a scan held a compaction's inputs open (a file is deleted once its last reader lets go) while the
     * output was compacted again and deleted, and the process died: the inputs list of the newest table names only
     * the deleted output, and the ancestors, loaded again, would bring back what the later compaction purged.
     */
    private void dropCompactedInputs() {
        Set<Long> replaced = new HashSet<>();
        for (SSTable table : tables) {
            for (long input : table.meta().inputs()) {
                replaced.add(input);
            }
        }
        for (SSTable table : tables) {
            TableMeta meta = table.meta();
            if (!replaced.contains(meta.generation()) && meta.maxSeq() > 0
                && tables.stream().anyMatch(other -> contains(other.meta(), meta))) {
                LOG.log(System.Logger.Level.WARNING, table + " lies within a newer table's sequence range: a"
                    + " compaction replaced it before the process stopped; dropping it");
                replaced.add(meta.generation());
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

    /** @return true when {@code newer} is a later table whose sequence range holds all of {@code older}'s */
    private static boolean contains(TableMeta newer, TableMeta older) {
        return newer.generation() > older.generation() && newer.minSeq() <= older.minSeq()
            && older.maxSeq() <= newer.maxSeq();
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

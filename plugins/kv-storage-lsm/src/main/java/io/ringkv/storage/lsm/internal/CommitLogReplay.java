package io.ringkv.storage.lsm.internal;

import io.ringkv.api.Limits;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Reads a commit log segment back after a restart. A torn or corrupt record ends the segment: the file is
 * truncated at the last good record, the loss is counted and logged, and the start goes on. In the last segment
 * that is what a crash mid-append leaves. An earlier segment was forced whole when the log rolled past it, so a bad
 * record there is damage on the disk, and what follows it may hold acknowledged writes: the segment is then copied
 * aside first ({@code <segment>.corrupt}, forced before the segment is touched), counted apart and logged as an
 * error that asks for a repair; when no copy can be made (no room), the segment is left whole and kept after the
 * flush of what was replayed, so the only copy of those writes is never cut or deleted unasked.
 *
 * <p>Every segment replayed is forced before the engine answers: the run before may have written records the OS held
 * unforced when it was killed, and a read must not answer what a power loss could still take back (nor may a torn
 * segment before the tail pass for damage at the next start).
 */
final class CommitLogReplay {
    private static final System.Logger LOG = System.getLogger("io.ringkv.storage.lsm");

    private final Limits limits;
    private final LsmMetrics metrics;

    CommitLogReplay(Limits limits, LsmMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    /**
     * Hands every intact entry of the segment with a sequence number above {@code flushedSeq} to {@code sink}.
     *
     * @param last whether this segment is the log's tail: the newest that holds anything (the only one an
     *     interrupted append, or a crash while the log rolled past it, can have torn)
     * @param files forces the segment once read
     * @return the highest sequence number seen, or {@code flushedSeq} when none was higher, and whether the
     *     segment must be kept after what was replayed from it is flushed (damaged, and no copy could be made)
     */
    Replayed replay(Path segment, long flushedSeq, Consumer<Entry> sink, boolean last, CommitLog.SegmentFiles files)
        throws IOException {
        boolean keep = false;
        long highest = flushedSeq;
        long goodEnd;
        long size;
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            size = channel.size();
            MemorySegment file = size == 0 ? MemorySegment.NULL
                : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long at = 0;
            while (at < size) {
                long next = intactRecordEnd(file, at, size);
                if (next < 0) {
                    break;
                }
                Entry entry = RecordCodec.decode(file, at + CommitLog.FRAME_BYTES, limits);
                if (entry.seq() > flushedSeq) {
                    sink.accept(entry);
                    metrics.commitLogReplayedRecords.increment();
                }
                highest = Math.max(highest, entry.seq());
                at = next;
            }
            goodEnd = at;
            if (goodEnd < size && !last) {
                Path aside = segment.resolveSibling(segment.getFileName() + ".corrupt");
                String kept;
                try {
                    // a file of this name: a directory in the way, say, fails the copy as a full disk would
                    java.nio.file.Files.copy(segment, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    kept = "A copy is kept as " + aside;
                } catch (IOException e) {
                    // a start needs no free space: without room for the copy, the replay goes on, what was copied
                    // is removed so that it takes none of the space left, and the segment itself is left whole
                    try {
                        java.nio.file.Files.deleteIfExists(aside);
                    } catch (IOException notRemoved) {
                        e.addSuppressed(notRemoved);
                    }
                    keep = true;
                    kept = "No copy could be kept (" + e + "), so the segment is left whole, and kept until a start"
                        + " can copy it aside";
                }
                if (!keep) {
                    // durable, and named durably, before the segment is cut: else a power loss could leave the cut
                    // and not the copy
                    try (FileChannel copy = FileChannel.open(aside, StandardOpenOption.WRITE)) {
                        files.forceReplayed(aside, copy);
                        Directories.sync(segment.getParent());
                    } catch (IOException e) {
                        keep = true;
                        kept = "A copy was written to " + aside + " but could not be made durable (" + e + "), so the"
                            + " segment is left whole too, and kept until a start can copy it aside";
                    }
                }
                if (keep) {
                    markDamaged(segment);
                }
                metrics.commitLogCorruptSegments.increment();
                LOG.log(System.Logger.Level.ERROR, "commit log " + segment + " is not the log's tail, and has a"
                    + " corrupt record at offset " + goodEnd + ": it was forced whole when the log rolled past it, so"
                    + " this is damage on the disk, and the " + (size - goodEnd) + " bytes after it, acknowledged"
                    + " writes among them, are not replayed. " + kept + "; run ringkv repair on this node to bring"
                    + " its ranges back from the other replicas");
            }
            if (goodEnd < size && !keep) {
                channel.truncate(goodEnd);
                // the new size is metadata: forced with it, or a lost truncate could pass for damage next start
                channel.force(true);
            }
            files.forceReplayed(segment, channel);
        }
        if (goodEnd < size && !last && !keep) {
            // only once the cut is durable: a crash before would leave the segment whole and unmarked, its damage
            // then taken for a torn tail were only empty segments to follow it
            java.nio.file.Files.deleteIfExists(damagedMark(segment));
        }
        if (goodEnd < size && !keep) {
            metrics.commitLogCorruptTails.increment();
            metrics.commitLogTruncatedBytes.add(size - goodEnd);
            LOG.log(System.Logger.Level.WARNING, "commit log " + segment + " has a torn or corrupt record at offset "
                + goodEnd + "; truncated " + (size - goodEnd) + " bytes after the last intact record");
        }
        return new Replayed(highest, keep);
    }

    /**
     * @return the mark of a damaged segment left whole: the next start takes it for a segment before the tail even
     *     when the segments after it are empty (as a start that kept it leaves its new one), not for a torn tail
     */
    static Path damagedMark(Path segment) {
        return segment.resolveSibling(segment.getFileName() + ".damaged");
    }

    /** Marks a damaged segment left whole, durably if it can: an empty file takes no room but its name. */
    private static void markDamaged(Path segment) {
        try {
            if (!java.nio.file.Files.exists(damagedMark(segment))) {
                java.nio.file.Files.createFile(damagedMark(segment));
                Directories.sync(segment.getParent());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not mark " + segment + " as damaged (" + e + "): if every"
                + " segment after it is empty at the next start, its damage will be taken for a torn tail and cut");
        }
    }

    /**
     * @param highestSeq the highest sequence number seen, or the flushed one when none was higher
     * @param keep the segment is damaged and could not be copied aside: it stays after its memtable is flushed
     */
    record Replayed(long highestSeq, boolean keep) {
    }

    /** @return the offset after the record framed at {@code at}, or -1 when it is torn or fails its checksum */
    private static long intactRecordEnd(MemorySegment file, long at, long size) {
        if (at + CommitLog.FRAME_BYTES > size) {
            return -1;
        }
        int length = file.get(RecordCodec.INT, at);
        long payload = at + CommitLog.FRAME_BYTES;
        if (length < RecordCodec.HEADER_BYTES || payload + length > size) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(file.asSlice(payload, length).asByteBuffer());
        if ((int) crc.getValue() != file.get(RecordCodec.INT, at + 4)
            || !RecordCodec.fits(file, payload, payload + length)
            || RecordCodec.length(file, payload) != length) {
            return -1;
        }
        return payload + length;
    }
}

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
 * aside first ({@code <segment>.corrupt}), counted apart and logged as an error that asks for a repair.
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
     * @return the highest sequence number seen, or {@code flushedSeq} when none was higher
     */
    long replay(Path segment, long flushedSeq, Consumer<Entry> sink, boolean last) throws IOException {
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
                    java.nio.file.Files.copy(segment, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    kept = "A copy is kept as " + aside;
                } catch (IOException e) {
                    // a start needs no free space: without room for the copy, the replay goes on, and what was
                    // copied is removed so that it takes none of the space left
                    java.nio.file.Files.deleteIfExists(aside);
                    kept = "No copy could be kept (" + e + ")";
                }
                metrics.commitLogCorruptSegments.increment();
                LOG.log(System.Logger.Level.ERROR, "commit log " + segment + " is not the log's tail, and has a"
                    + " corrupt record at offset " + goodEnd + ": it was forced whole when the log rolled past it, so"
                    + " this is damage on the disk, and the " + (size - goodEnd) + " bytes after it, acknowledged"
                    + " writes among them, are not replayed. " + kept + "; run ringkv repair on this node to bring"
                    + " its ranges back from the other replicas");
            }
            if (goodEnd < size) {
                channel.truncate(goodEnd);
                channel.force(true);
            }
        }
        if (goodEnd < size) {
            metrics.commitLogCorruptTails.increment();
            metrics.commitLogTruncatedBytes.add(size - goodEnd);
            LOG.log(System.Logger.Level.WARNING, "commit log " + segment + " has a torn or corrupt record at offset "
                + goodEnd + "; truncated " + (size - goodEnd) + " bytes after the last intact record");
        }
        return highest;
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

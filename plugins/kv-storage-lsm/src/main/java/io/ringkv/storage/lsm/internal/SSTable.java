package io.ringkv.storage.lsm.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.storage.StorageKey;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * An immutable sorted table on disk, memory-mapped: data blocks of records, each block checksummed and verified
 * the first time it is read; a sparse index and a bloom filter read in place. Reference-counted: views of the
 * engine retain the tables they list, and a table that compaction made obsolete is unmapped and deleted once
 * the last view lets go of it.
 */
final class SSTable {
    private static final System.Logger LOG = System.getLogger("io.ringkv.storage.lsm");

    private final Path path;
    private final TableMeta meta;
    private final Arena arena;
    private final MemorySegment file;
    private final TableIndex index;
    private final long bloomOffset;
    private final long dataEnd;
    private final Limits limits;
    private final LsmMetrics metrics;
    // one bit per block: its checksum was verified since the table was opened (racy updates only re-verify)
    private final long[] verified;
    private final AtomicInteger references = new AtomicInteger();
    private volatile boolean obsolete;

    private SSTable(Path path, Arena arena, MemorySegment file, TableFooter footer, Limits limits,
                    LsmMetrics metrics) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.limits = limits;
        this.metrics = metrics;
        this.meta = TableMeta.read(file, footer.metaOffset(), footer.metaLength());
        this.index = new TableIndex(file, footer.indexOffset(), footer.indexLength());
        this.bloomOffset = footer.bloomOffset();
        this.dataEnd = footer.indexOffset();
        this.verified = new long[(index.blockCount() + 63) / 64];
    }

    /**
     * Maps the table and checks its footer, index, filter and metadata checksums.
     *
     * @throws CorruptTableException when the table cannot be trusted as a whole
     */
    static SSTable open(Path path, Limits limits, LsmMetrics metrics) throws IOException, CorruptTableException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            TableFooter footer = TableFooter.read(file);
            footer.verifySections(file);
            return new SSTable(path, arena, file, footer, limits, metrics);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            arena.close();
            throw new CorruptTableException(path, e.getMessage());
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    TableMeta meta() {
        return meta;
    }

    long sizeInBytes() {
        return file.byteSize();
    }

    /** @return false when the bloom filter rules (token, key) out */
    boolean mightContain(long hash) {
        return BloomFilter.mightContain(file, bloomOffset, hash);
    }

    /**
     * Looks (token, key) up, bloom filter first.
     *
     * @param key the key's bytes as a segment
     * @param hash {@link BloomFilter#hash} of (token, key)
     * @return the entry, or null when the table does not hold the key
     * @throws KvException with {@code STORAGE_FAILURE} when the block that would hold the key is corrupt
     */
    Entry get(long token, MemorySegment key, long hash) {
        if (!mightContain(hash)) {
            metrics.bloomNegatives.increment();
            return null;
        }
        int block = index.floorBlock(token, key);
        Entry found = block < 0 ? null : findInBlock(block, token, key);
        (found == null ? metrics.bloomFalsePositives : metrics.bloomTruePositives).increment();
        return found;
    }

    private Entry findInBlock(int block, long token, MemorySegment key) {
        long start = checkedBlock(block);
        long end = start + file.get(RecordCodec.INT, start - 8);
        for (long at = start; at < end; at += RecordCodec.length(file, at)) {
            int order = RecordCodec.compare(file, at, token, key);
            if (order == 0) {
                metrics.sstableBytesRead.add(RecordCodec.length(file, at));
                return RecordCodec.decode(file, at, limits);
            }
            if (order > 0) {
                return null;
            }
        }
        return null;
    }

    /** @return entries from {@code from} (inclusive) in order */
    EntryCursor cursor(StorageKey from) {
        MemorySegment key = MemorySegment.ofArray(from.key().toByteArray());
        int first = Math.max(0, index.floorBlock(from.token(), key));
        return new Cursor(first, from.token(), key);
    }

    /**
     * @return where the payload of {@code block} starts, once its checksum has been verified
     * @throws KvException with {@code STORAGE_FAILURE} naming the file and block when it does not match
     */
    private long checkedBlock(int block) {
        long offset = index.blockOffset(block);
        long payload = offset + 8;
        if ((verified[block >>> 6] & 1L << block) != 0) {
            return payload;
        }
        int length = offset >= 0 && payload <= dataEnd ? file.get(RecordCodec.INT, offset) : -1;
        if (length < 0 || payload + length > dataEnd || !checksumMatches(payload, length, offset)
            || !recordsTile(payload, payload + length)) {
            metrics.corruptBlocks.increment();
            String message = "SSTable " + path + " is corrupt: block " + block + " at offset " + offset
                + " failed its checksum; the keys it holds cannot be read until they are repaired from replicas";
            LOG.log(System.Logger.Level.ERROR, message);
            throw new KvException(ErrorCode.STORAGE_FAILURE, message);
        }
        verified[block >>> 6] |= 1L << block;
        return payload;
    }

    private boolean checksumMatches(long payload, int length, long offset) {
        CRC32C crc = new CRC32C();
        crc.update(file.asSlice(payload, length).asByteBuffer());
        return (int) crc.getValue() == file.get(RecordCodec.INT, offset + 4);
    }

    private boolean recordsTile(long start, long end) {
        long at = start;
        while (at < end) {
            if (!RecordCodec.fits(file, at, end)) {
                return false;
            }
            at += RecordCodec.length(file, at);
        }
        return at == end;
    }

    void retain() {
        references.incrementAndGet();
    }

    /** Drops one reference; the last one unmaps the file, and deletes it when it is obsolete. */
    void release() {
        if (references.decrementAndGet() == 0) {
            arena.close();
            if (obsolete) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not delete obsolete SSTable " + path, e);
                }
            }
        }
    }

    /** Marks the table for deletion when its last reference goes: compaction replaced it. */
    void markObsolete() {
        obsolete = true;
    }

    @Override
    public String toString() {
        return "SSTable[" + path.getFileName() + ", seq " + meta.minSeq() + "–" + meta.maxSeq() + ", "
            + meta.records() + " records]";
    }

    /** Walks the records from a block on, skipping those before the start key. */
    private final class Cursor implements EntryCursor {
        private int block;
        private long at;
        private long end;
        private long skipToken;
        private MemorySegment skipKey;

        Cursor(int block, long token, MemorySegment key) {
            this.block = block - 1;
            this.skipToken = token;
            this.skipKey = key;
        }

        @Override
        public Entry next() {
            while (true) {
                if (at >= end && !nextBlock()) {
                    return null;
                }
                long record = at;
                at += RecordCodec.length(file, record);
                if (skipKey != null) {
                    if (RecordCodec.compare(file, record, skipToken, skipKey) < 0) {
                        continue;
                    }
                    skipKey = null;
                }
                metrics.sstableBytesRead.add(at - record);
                return RecordCodec.decode(file, record, limits);
            }
        }

        private boolean nextBlock() {
            if (block + 1 >= index.blockCount()) {
                return false;
            }
            block++;
            at = checkedBlock(block);
            end = at + file.get(RecordCodec.INT, at - 8);
            return true;
        }
    }
}

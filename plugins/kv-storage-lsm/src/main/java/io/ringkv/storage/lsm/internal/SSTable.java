package io.ringkv.storage.lsm.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.storage.StorageKey;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
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
    /** A block failed its checksum (set by any reader thread, read by the compactor's picker). */
    private volatile boolean corruptSeen;
    /** Reads of this table that failed below the checksums: an I/O error, a fault under the mapping. */
    private final java.util.concurrent.atomic.AtomicInteger readFaults = new java.util.concurrent.atomic.AtomicInteger();
    private static final System.Logger LOG = System.getLogger("io.ringkv.storage.lsm");
    /**
     * Each thread's buffer for {@link #readBlock}, reused from one read to the next (a block's record is decoded,
     * i.e. copied out, before its thread reads another). Direct, so the pread fills it without the copy the JDK
     * makes for a heap buffer; it grows to the largest block its thread has read, up to {@link #KEPT_BLOCK_BYTES}
     * (a larger block, of large sibling sets, is read into a buffer of its own that is not kept).
     */
    private static final ThreadLocal<ByteBuffer> BLOCK_BUFFER =
        ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(16 * 1024));
    private static final int KEPT_BLOCK_BYTES = 1024 * 1024;
    /** Reads failing below the checksums after which compaction leaves a table out (a lasting fault, not a blip). */
    static final int READ_FAULTS_BEFORE_SET_ASIDE = 3;
    /**
     * How long after its last read fault a table stays out of compaction: then compaction tries it again, so a
     * fault that has passed (a disk that recovered, a transient error) no longer keeps the table out until a restart,
     * and one that lasts fails a compaction once per this time, not once a second.
     */
    static final long SET_ASIDE_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
    /** When the last read fault happened ({@link System#nanoTime}). */
    private volatile long lastFaultNanos;

    private final Path path;
    private final TableMeta meta;
    private final Arena arena;
    private final MemorySegment file;
    // for point reads with pread, whenever the engine's reads say so
    private final FileChannel channel;
    private final PointReads reads;
    private final TableIndex index;
    private final long bloomOffset;
    private final long dataEnd;
    private final Limits limits;
    private final LsmMetrics metrics;
    // one bit per block: its checksum was verified since the table was opened (racy updates only re-verify)
    private final long[] verified;
    private final AtomicInteger references = new AtomicInteger();
    private volatile boolean obsolete;

    private SSTable(Path path, Arena arena, MemorySegment file, FileChannel channel, PointReads reads,
                    TableFooter footer, Limits limits, LsmMetrics metrics) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.channel = channel;
        this.reads = reads;
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
     * @param reads whether point reads fetch data blocks through the mapping or with {@code pread} (asked at each
     *     read: the engine switches it as its tables grow); the index and the filter are read in the mapping
     *     either way, and scans read the mapping
     * @throws CorruptTableException when the table cannot be trusted as a whole
     */
    static SSTable open(Path path, Limits limits, LsmMetrics metrics, PointReads reads)
        throws IOException, CorruptTableException {
        Arena arena = Arena.ofShared();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            TableFooter footer = TableFooter.read(file);
            footer.verifySections(file);
            return new SSTable(path, arena, file, channel, reads, footer, limits, metrics);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            arena.close();
            channel.close();
            throw new CorruptTableException(path, e.getMessage());
        } catch (IOException | RuntimeException | Error e) {
            // an Error too (the JVM's InternalError for a fault under the mapping): a shared arena is never freed
            // by the collector, so the mapping, and the blocks of a file deleted after this, would stay till exit
            arena.close();
            channel.close();
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
        try {
            if (!mightContain(hash)) {
                metrics.bloomNegatives.increment();
                return null;
            }
            int block = index.floorBlock(token, key);
            Entry found = block < 0 ? null : findInBlock(block, token, key);
            (found == null ? metrics.bloomFalsePositives : metrics.bloomTruePositives).increment();
            return found;
        } catch (InternalError e) {
            throw unreadable(e);
        }
    }

    /**
     * The JVM's report of a fault on a mapped page (an I/O error under the mapping, or a file cut short under it):
     * an {@link InternalError}, which would otherwise end the reading thread, turned into the storage failure a
     * {@code pread}'s {@code IOException} is.
     */
    private KvException unreadable(InternalError cause) {
        return readFault("cannot read SSTable " + path + " through its mapping: " + cause.getMessage(), cause);
    }

    /**
     * Counts a read that failed below the checksums (an I/O error, a fault under the mapping). A table whose reads
     * keep failing is left out of compaction, as a corrupt one is: every compaction of it would fail, and its tier
     * would be tried again each second with no end, holding back every wait for compactions (a cleanup's).
     */
    private KvException readFault(String message, Throwable cause) {
        metrics.sstableReadFaults.increment();
        LOG.log(System.Logger.Level.ERROR, message);
        if (countReadFault(System.nanoTime()) == READ_FAULTS_BEFORE_SET_ASIDE) {
            LOG.log(System.Logger.Level.WARNING, "SSTable " + path + " failed " + READ_FAULTS_BEFORE_SET_ASIDE
                + " reads: it is left out of compaction until " + SET_ASIDE_NANOS / 60_000_000_000L + " minutes pass"
                + " without another fault; the keys it holds are repaired from replicas by anti-entropy, or run"
                + " `ringkv repair` on this node");
        }
        return new KvException(ErrorCode.STORAGE_FAILURE, message, cause);
    }

    /** Counts one read fault at {@code nowNanos}; @return the faults counted so far */
    int countReadFault(long nowNanos) {
        lastFaultNanos = nowNanos;
        return readFaults.incrementAndGet();
    }

    private Entry findInBlock(int block, long token, MemorySegment key) {
        Block found = reads.mapped() ? mappedBlock(block) : readBlock(block);
        MemorySegment segment = found.segment();
        for (long at = found.start(); at < found.end(); at += RecordCodec.length(segment, at)) {
            int order = RecordCodec.compare(segment, at, token, key);
            if (order == 0) {
                metrics.sstableBytesRead.add(RecordCodec.length(segment, at));
                return RecordCodec.decode(segment, at, limits);
            }
            if (order > 0) {
                return null;
            }
        }
        return null;
    }

    /** A block's records: {@code segment} from {@code start} (inclusive) to {@code end} (exclusive). */
    private record Block(MemorySegment segment, long start, long end) {
    }

    private Block mappedBlock(int block) {
        long start = checkedBlock(block);
        return new Block(file, start, start + file.get(RecordCodec.INT, start - 8));
    }

    /** Reads {@code block} with one pread and verifies it: the bytes are fresh, so every read checks them. */
    private Block readBlock(int block) {
        long offset = index.blockOffset(block);
        long next = block + 1 < index.blockCount() ? index.blockOffset(block + 1) : dataEnd;
        if (offset < 0 || next > dataEnd || next - offset < 8 || next - offset > Integer.MAX_VALUE) {
            throw corrupt(block, offset);
        }
        int size = (int) (next - offset);
        ByteBuffer bytes = BLOCK_BUFFER.get();
        if (size > KEPT_BLOCK_BYTES) {
            bytes = ByteBuffer.allocate(size);
        } else if (bytes.capacity() < size) {
            bytes = ByteBuffer.allocateDirect(Math.min(KEPT_BLOCK_BYTES, Math.max(size, 2 * bytes.capacity())));
            BLOCK_BUFFER.set(bytes);
        }
        bytes.clear().limit(size);
        try {
            while (bytes.hasRemaining()) {
                if (channel.read(bytes, offset + bytes.position()) < 0) {
                    throw corrupt(block, offset);
                }
            }
        } catch (IOException e) {
            throw readFault("cannot read SSTable " + path + " block " + block + ": " + e.getMessage(), e);
        }
        MemorySegment segment = MemorySegment.ofBuffer(bytes.flip());
        int length = segment.get(RecordCodec.INT, 0);
        if (length != segment.byteSize() - 8 || !intact(segment, 8, length, 4)) {
            throw corrupt(block, offset);
        }
        return new Block(segment, 8, segment.byteSize());
    }

    /** @return entries from {@code from} (inclusive) in order */
    EntryCursor cursor(StorageKey from) {
        MemorySegment key = MemorySegment.ofArray(from.key().toByteArray());
        try {
            int first = Math.max(0, index.floorBlock(from.token(), key));
            return new Cursor(first, from.token(), key);
        } catch (InternalError e) {
            throw unreadable(e);
        }
    }

    /**
     * @return where the payload of mapped {@code block} starts, once its checksum has been verified
     * @throws KvException with {@code STORAGE_FAILURE} naming the file and block when it does not match
     */
    private long checkedBlock(int block) {
        long offset = index.blockOffset(block);
        long payload = offset + 8;
        if ((verified[block >>> 6] & 1L << block) != 0) {
            return payload;
        }
        int length = offset >= 0 && payload <= dataEnd ? file.get(RecordCodec.INT, offset) : -1;
        if (length < 0 || payload + length > dataEnd || !intact(file, payload, length, offset + 4)) {
            throw corrupt(block, offset);
        }
        verified[block >>> 6] |= 1L << block;
        return payload;
    }

    /** @return true when the payload matches the checksum stored at {@code crcAt} and its records tile it */
    private static boolean intact(MemorySegment segment, long payload, int length, long crcAt) {
        CRC32C crc = new CRC32C();
        crc.update(segment.asSlice(payload, length).asByteBuffer());
        return (int) crc.getValue() == segment.get(RecordCodec.INT, crcAt)
            && recordsTile(segment, payload, payload + length);
    }

    /**
     * @return whether compaction leaves this table out: a block of it failed its checksum, or
     *     {@value #READ_FAULTS_BEFORE_SET_ASIDE} of its reads failed below the checksums (a lasting I/O error), the
     *     last of them less than {@link #SET_ASIDE_NANOS} ago
     */
    boolean leftOutOfCompaction() {
        return leftOutOfCompaction(System.nanoTime());
    }

    /** As {@link #leftOutOfCompaction()}, at {@code nowNanos}. */
    boolean leftOutOfCompaction(long nowNanos) {
        return corruptSeen || readFaults.get() >= READ_FAULTS_BEFORE_SET_ASIDE
            && nowNanos - lastFaultNanos < SET_ASIDE_NANOS;
    }

    private KvException corrupt(int block, long offset) {
        corruptSeen = true;
        metrics.corruptBlocks.increment();
        String message = "SSTable " + path + " is corrupt: block " + block + " at offset " + offset
            + " failed its checksum; the keys it holds cannot be read until they are repaired from replicas";
        LOG.log(System.Logger.Level.ERROR, message);
        return new KvException(ErrorCode.STORAGE_FAILURE, message);
    }

    private static boolean recordsTile(MemorySegment segment, long start, long end) {
        long at = start;
        while (at < end) {
            if (!RecordCodec.fits(segment, at, end)) {
                return false;
            }
            at += RecordCodec.length(segment, at);
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
            closeChannel();
            if (obsolete) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not delete obsolete SSTable " + path, e);
                }
            }
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not close SSTable " + path, e);
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
            try {
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
            } catch (InternalError e) {
                throw unreadable(e);
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

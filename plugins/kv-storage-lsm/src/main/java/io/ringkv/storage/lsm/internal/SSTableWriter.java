package io.ringkv.storage.lsm.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes one SSTable from entries in (token, key) order: checksummed data blocks, then the sparse index (the
 * first key of every block), the bloom filter, the table's metadata and a fixed footer. It writes under a
 * temporary name, forces the file, and renames it into place, so a table either exists whole or not at all.
 */
final class SSTableWriter implements AutoCloseable {
    private static final int OUTPUT_BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private final int blockBytes;
    private final BloomFilter bloom;
    private final RateLimiter limiter;
    private final ByteBuffer output = ByteBuffer.allocateDirect(OUTPUT_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer block;
    private final CRC32C crc = new CRC32C();
    private final TableIndexBuilder index = new TableIndexBuilder();
    private long position;
    private long blockStart;
    private boolean blockEmpty = true;
    private long minSeq = Long.MAX_VALUE;
    private long maxSeq = Long.MIN_VALUE;
    private long records;
    private long tombstones;
    private long coveredMinSeq = Long.MAX_VALUE;
    private long coveredMaxSeq = Long.MIN_VALUE;

    /**
     * @param target the table's final path
     * @param expectedRecords sizes the bloom filter (an over-estimate only costs bits)
     * @param limiter paces the writes; {@link RateLimiter#UNLIMITED} for flushes
     */
    SSTableWriter(Path target, int blockBytes, double falsePositiveRate, long expectedRecords, RateLimiter limiter)
        throws IOException {
        this.target = target;
        this.temporary = target.resolveSibling(target.getFileName() + ".tmp");
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
        this.blockBytes = blockBytes;
        this.bloom = BloomFilter.create(expectedRecords, falsePositiveRate);
        this.limiter = limiter;
        this.block = ByteBuffer.allocate(blockBytes * 2).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Appends {@code entry}, which sorts after every entry added before. */
    void add(Entry entry) throws IOException {
        int length = RecordCodec.encodedLength(entry);
        if (block.remaining() < length) {
            growBlock(length);
        }
        if (blockEmpty) {
            byte[] key = entry.record().key().toByteArray();
            index.add(entry.record().token(), key, position);
            blockEmpty = false;
        }
        RecordCodec.encode(entry, block);
        bloom.add(BloomFilter.hash(entry.record().token(), entry.record().key().toByteArray()));
        minSeq = Math.min(minSeq, entry.seq());
        maxSeq = Math.max(maxSeq, entry.seq());
        records++;
        if (entry.record().isTombstone()) {
            tombstones++;
        }
        if (block.position() >= blockBytes) {
            finishBlock();
        }
    }

    /**
     * Widens the sequence range the table claims to cover: a compaction's output covers its inputs' whole range,
     * even the entries it dropped, so tables' ranges keep tiling the history.
     */
    void cover(long fromSeq, long toSeq) {
        coveredMinSeq = Math.min(coveredMinSeq, fromSeq);
        coveredMaxSeq = Math.max(coveredMaxSeq, toSeq);
    }

    private void growBlock(int length) {
        ByteBuffer larger = ByteBuffer.allocate(block.position() + length + blockBytes).order(ByteOrder.LITTLE_ENDIAN);
        block.flip();
        larger.put(block);
        block = larger;
    }

    private void finishBlock() throws IOException {
        if (blockEmpty) {
            return;
        }
        crc.reset();
        crc.update(block.array(), 0, block.position());
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(block.position()).putInt((int) crc.getValue()).flip();
        write(header);
        write(block.flip());
        block.clear();
        blockEmpty = true;
    }

    private void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            if (!output.hasRemaining()) {
                drain();
            }
            int n = Math.min(bytes.remaining(), output.remaining());
            output.put(output.position(), bytes, bytes.position(), n);
            output.position(output.position() + n);
            bytes.position(bytes.position() + n);
            position += n;
        }
    }

    private void drain() throws IOException {
        output.flip();
        limiter.acquire(output.remaining());
        while (output.hasRemaining()) {
            channel.write(output);
        }
        output.clear();
    }

    /**
     * Writes the index, filter, metadata and footer, forces the file and renames it into place.
     *
     * @param generation the table's generation, recorded in its metadata
     * @param inputs generations this table was compacted from (empty for a flush)
     * @return the bytes written
     */
    long finish(long generation, long[] inputs, long createdMillis) throws IOException {
        finishBlock();
        long indexOffset = position;
        long indexCrc = writeSection(index.serialize());
        long bloomOffset = position;
        ByteBuffer bloomBytes = ByteBuffer.allocate(bloom.serializedBytes());
        bloom.writeTo(bloomBytes);
        long bloomCrc = writeSection(bloomBytes.flip());
        long metaOffset = position;
        long low = Math.min(minSeq, coveredMinSeq);
        long high = Math.max(maxSeq, coveredMaxSeq);
        TableMeta meta = new TableMeta(generation, low == Long.MAX_VALUE ? 0 : low,
            high == Long.MIN_VALUE ? 0 : high, records, tombstones, indexOffset, createdMillis, inputs);
        long metaCrc = writeSection(meta.serialize());
        ByteBuffer footer = TableFooter.encode(indexOffset, bloomOffset - indexOffset, bloomOffset,
            metaOffset - bloomOffset, metaOffset, position - metaOffset, indexCrc, bloomCrc, metaCrc);
        write(footer);
        drain();
        channel.force(true);
        channel.close();
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        Directories.sync(target.getParent());
        return position;
    }

    private long writeSection(ByteBuffer section) throws IOException {
        crc.reset();
        crc.update(section.duplicate());
        write(section);
        return crc.getValue();
    }

    /** Abandons the table: closes and deletes the temporary file. */
    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "could not remove " + temporary + ": " + e.getMessage());
        }
    }

    /** The first key of every block while the table is written, serialised as the on-disk sparse index. */
    private static final class TableIndexBuilder {
        private long[] tokens = new long[64];
        private long[] offsets = new long[64];
        private int[] keyEnds = new int[64];
        private final ByteArrayOutputStream keys = new ByteArrayOutputStream();
        private int count;

        void add(long token, byte[] key, long blockOffset) {
            if (count == tokens.length) {
                tokens = java.util.Arrays.copyOf(tokens, count * 2);
                offsets = java.util.Arrays.copyOf(offsets, count * 2);
                keyEnds = java.util.Arrays.copyOf(keyEnds, count * 2);
            }
            keys.writeBytes(key);
            tokens[count] = token;
            offsets[count] = blockOffset;
            keyEnds[count] = keys.size();
            count++;
        }

        /** {@code count i32, then per block: token i64, block offset i64, key offset i32, key length i32; keys} */
        ByteBuffer serialize() {
            ByteBuffer out = ByteBuffer.allocate(4 + count * TableIndex.ENTRY_BYTES + keys.size())
                .order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(count);
            int keyStart = 0;
            for (int i = 0; i < count; i++) {
                out.putLong(tokens[i]).putLong(offsets[i]).putInt(keyStart).putInt(keyEnds[i] - keyStart);
                keyStart = keyEnds[i];
            }
            out.put(keys.toByteArray());
            return out.flip();
        }
    }
}

package io.ringkv.storage.lsm.internal;

import java.lang.foreign.MemorySegment;

/**
 * The sparse index of an SSTable, read in place from the mapped file: the first (token, key) of every data block
 * and the block's offset, searched by bisection. It costs the heap nothing; the page cache holds it.
 */
final class TableIndex {
    static final int ENTRY_BYTES = 8 + 8 + 4 + 4;

    private final MemorySegment file;
    private final long entries;
    private final long keys;
    private final int count;

    TableIndex(MemorySegment file, long offset, long length) {
        this.file = file;
        this.count = file.get(RecordCodec.INT, offset);
        this.entries = offset + 4;
        this.keys = entries + (long) count * ENTRY_BYTES;
        if (count < 0 || keys > offset + length) {
            throw new IllegalArgumentException("index claims " + count + " blocks in " + length + " bytes");
        }
    }

    int blockCount() {
        return count;
    }

    long blockOffset(int block) {
        return file.get(RecordCodec.LONG, entries + (long) block * ENTRY_BYTES + 8);
    }

    /**
     * @return the last block whose first key is at or before (token, key), or -1 when (token, key) sorts before
     *     the table's first key
     */
    int floorBlock(long token, MemorySegment key) {
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (compareFirstKey(middle, token, key) <= 0) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found;
    }

    private int compareFirstKey(int block, long token, MemorySegment key) {
        long entry = entries + (long) block * ENTRY_BYTES;
        int byToken = Long.compare(file.get(RecordCodec.LONG, entry), token);
        if (byToken != 0) {
            return byToken;
        }
        long keyStart = keys + file.get(RecordCodec.INT, entry + 16);
        return RecordCodec.compareKeys(file, keyStart, file.get(RecordCodec.INT, entry + 20), key);
    }
}

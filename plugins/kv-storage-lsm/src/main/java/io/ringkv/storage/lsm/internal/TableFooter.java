package io.ringkv.storage.lsm.internal;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The fixed-size end of an SSTable: where the index, bloom filter and metadata sections lie, their checksums, a
 * magic number and the footer's own checksum.
 */
record TableFooter(long indexOffset, long indexLength, long bloomOffset, long bloomLength, long metaOffset,
                   long metaLength, int indexCrc, int bloomCrc, int metaCrc) {
    static final int BYTES = 6 * Long.BYTES + 3 * Integer.BYTES + Long.BYTES + Integer.BYTES;
    private static final long MAGIC = 0x72696e676b764c31L; // "ringkvL1"

    static ByteBuffer encode(long indexOffset, long indexLength, long bloomOffset, long bloomLength, long metaOffset,
                             long metaLength, long indexCrc, long bloomCrc, long metaCrc) {
        ByteBuffer out = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(indexOffset).putLong(indexLength).putLong(bloomOffset).putLong(bloomLength).putLong(metaOffset)
            .putLong(metaLength).putInt((int) indexCrc).putInt((int) bloomCrc).putInt((int) metaCrc).putLong(MAGIC);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.flip();
    }

    /** @throws IllegalArgumentException when the footer is torn or corrupt */
    static TableFooter read(MemorySegment file) {
        long size = file.byteSize();
        if (size < BYTES) {
            throw new IllegalArgumentException("file is " + size + " bytes, shorter than a footer");
        }
        long at = size - BYTES;
        byte[] bytes = file.asSlice(at, BYTES).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, BYTES - Integer.BYTES);
        if (in.getLong(BYTES - Integer.BYTES - Long.BYTES) != MAGIC) {
            throw new IllegalArgumentException("footer has no ringkv magic number");
        }
        if (in.getInt(BYTES - Integer.BYTES) != (int) crc.getValue()) {
            throw new IllegalArgumentException("footer checksum mismatch");
        }
        TableFooter footer = new TableFooter(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(),
            in.getLong(), in.getInt(), in.getInt(), in.getInt());
        if (footer.indexOffset < 0 || footer.metaOffset + footer.metaLength != at
            || footer.indexOffset + footer.indexLength != footer.bloomOffset
            || footer.bloomOffset + footer.bloomLength != footer.metaOffset) {
            throw new IllegalArgumentException("footer sections do not tile the file");
        }
        return footer;
    }

    /** @throws IllegalArgumentException when a section's checksum does not match */
    void verifySections(MemorySegment file) {
        verify(file, indexOffset, indexLength, indexCrc, "index");
        verify(file, bloomOffset, bloomLength, bloomCrc, "bloom filter");
        verify(file, metaOffset, metaLength, metaCrc, "metadata");
    }

    private static void verify(MemorySegment file, long offset, long length, int expected, String section) {
        CRC32C crc = new CRC32C();
        crc.update(file.asSlice(offset, length).asByteBuffer());
        if ((int) crc.getValue() != expected) {
            throw new IllegalArgumentException(section + " checksum mismatch");
        }
    }
}

package io.ringkv.storage.lsm.internal;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What an SSTable says about itself.
 *
 * @param generation the table's generation (also in its file name)
 * @param minSeq lowest sequence number in the table
 * @param maxSeq highest sequence number in the table
 * @param records entries, tombstones included
 * @param tombstones tombstone entries
 * @param dataBytes bytes of data blocks
 * @param createdMillis when the table was written
 * @param inputs generations this table was compacted from; they are obsolete once it exists
 */
record TableMeta(long generation, long minSeq, long maxSeq, long records, long tombstones, long dataBytes,
                 long createdMillis, long[] inputs) {

    ByteBuffer serialize() {
        ByteBuffer out = ByteBuffer.allocate(7 * Long.BYTES + 4 + inputs.length * Long.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(generation).putLong(minSeq).putLong(maxSeq).putLong(records).putLong(tombstones)
            .putLong(dataBytes).putLong(createdMillis).putInt(inputs.length);
        for (long input : inputs) {
            out.putLong(input);
        }
        return out.flip();
    }

    static TableMeta read(MemorySegment file, long offset, long length) {
        int fixed = 7 * Long.BYTES + 4;
        if (length < fixed) {
            throw new IllegalArgumentException("metadata section is " + length + " bytes, less than " + fixed);
        }
        long[] fields = new long[7];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = file.get(RecordCodec.LONG, offset + (long) i * Long.BYTES);
        }
        int count = file.get(RecordCodec.INT, offset + 7 * Long.BYTES);
        if (count < 0 || fixed + (long) count * Long.BYTES != length) {
            throw new IllegalArgumentException("metadata lists " + count + " inputs in " + length + " bytes");
        }
        long[] inputs = new long[count];
        for (int i = 0; i < count; i++) {
            inputs[i] = file.get(RecordCodec.LONG, offset + fixed + (long) i * Long.BYTES);
        }
        return new TableMeta(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], inputs);
    }
}

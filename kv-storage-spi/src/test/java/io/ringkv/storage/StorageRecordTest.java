package io.ringkv.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

/** A record stays immutable whichever way it is built or read: arrays, buffers, or read-only views. */
class StorageRecordTest {
    private static final StorageKey KEY = new StorageKey(42, Key.utf8("k"));

    @Test
    void recordsFromArraysCopyThemInAndOut() {
        byte[] version = {1, 2};
        byte[] value = {3, 4, 5};
        StorageRecord record = StorageRecord.live(KEY, version, value);
        version[0] = 9;
        value[0] = 9;
        assertArrayEquals(new byte[] {1, 2}, record.version());
        assertArrayEquals(new byte[] {3, 4, 5}, record.value());
        record.value()[1] = 9;
        record.version()[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, record.version());
        assertArrayEquals(new byte[] {3, 4, 5}, record.value());
    }

    @Test
    void recordsFromBuffersCopyTheirRemainingBytesAndLeaveTheirPositions() {
        byte[] block = {0, 1, 2, 0, 3, 4, 5, 0};
        ByteBuffer version = ByteBuffer.wrap(block, 1, 2).slice();
        ByteBuffer value = ByteBuffer.wrap(block, 4, 3);
        StorageRecord record = StorageRecord.live(KEY, version, value);
        assertEquals(0, version.position());
        assertEquals(4, value.position());
        block[1] = 9;
        block[5] = 9;
        assertEquals(StorageRecord.live(KEY, new byte[] {1, 2}, new byte[] {3, 4, 5}), record);

        StorageRecord tombstone = StorageRecord.tombstone(KEY, ByteBuffer.wrap(new byte[] {7}));
        assertTrue(tombstone.isTombstone());
        assertEquals(StorageRecord.tombstone(KEY, new byte[] {7}), tombstone);
        assertThrows(NullPointerException.class, () -> StorageRecord.live(KEY, version, null));
    }

    @Test
    void viewsShowTheBytesReadOnly() {
        StorageRecord record = StorageRecord.live(KEY, new byte[] {1, 2}, new byte[] {3, 4, 5});
        ByteBuffer value = record.valueBuffer();
        ByteBuffer version = record.versionBuffer();
        assertTrue(value.isReadOnly() && version.isReadOnly());
        assertEquals(ByteBuffer.wrap(new byte[] {3, 4, 5}), value);
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2}), version);
        assertEquals(2, record.versionLength());
        assertThrows(ReadOnlyBufferException.class, () -> record.valueBuffer().put(0, (byte) 9));
        assertThrows(ReadOnlyBufferException.class, () -> record.versionBuffer().put(0, (byte) 9));
        assertArrayEquals(new byte[] {3, 4, 5}, record.value());
        assertNull(StorageRecord.tombstone(KEY, new byte[] {1}).valueBuffer());
    }
}

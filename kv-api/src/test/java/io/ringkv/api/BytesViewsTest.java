package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

/** The copy-free ways in and out of a value: they read the bytes exactly and leave the value immutable. */
class BytesViewsTest {
    private static final byte[] BYTES = {1, 2, 3, 4, 5};

    @Test
    void copyToPutsTheBytesWhereAskedAndRefusesWhatDoesNotFit() {
        Value value = Value.of(BYTES);
        ByteBuffer out = ByteBuffer.allocate(8).put((byte) 9);
        value.copyTo(out);
        assertEquals(6, out.position());
        assertArrayEquals(new byte[] {9, 1, 2, 3, 4, 5, 0, 0}, out.array());
        assertThrows(BufferOverflowException.class, () -> value.copyTo(ByteBuffer.allocate(4)));
    }

    @Test
    void theReadOnlyViewShowsTheBytesAndCannotChangeThem() {
        Value value = Value.of(BYTES);
        ByteBuffer view = value.asReadOnlyBuffer();
        assertTrue(view.isReadOnly());
        assertEquals(0, view.position());
        assertEquals(BYTES.length, view.remaining());
        byte[] seen = new byte[view.remaining()];
        view.get(seen);
        assertArrayEquals(BYTES, seen);
        assertThrows(ReadOnlyBufferException.class, () -> value.asReadOnlyBuffer().put(0, (byte) 7));
        assertArrayEquals(BYTES, value.toByteArray());
    }

    @Test
    void aValueFromABufferCopiesItsRemainingBytesOnceAndLeavesItsPosition() {
        byte[] source = {7, 1, 2, 3, 8};
        ByteBuffer buffer = ByteBuffer.wrap(source, 1, 3);
        Value value = Value.of(buffer, Limits.DEFAULT);
        assertArrayEquals(new byte[] {1, 2, 3}, value.toByteArray());
        assertEquals(1, buffer.position());
        source[2] = 99;
        assertArrayEquals(new byte[] {1, 2, 3}, value.toByteArray(), "the value must not share the buffer's bytes");
        assertEquals(Value.of(new byte[] {1, 2, 3}), value);
    }

    @Test
    void aValueFromABufferOverTheLimitIsRefused() {
        ByteBuffer buffer = ByteBuffer.allocate(20).position(3);
        KvException error = assertThrows(KvException.class, () -> Value.of(buffer, new Limits(8, 16)));
        assertEquals(ErrorCode.VALUE_TOO_LARGE, error.code());
        assertEquals(3, buffer.position());
        assertEquals(16, Value.of(buffer.limit(19), new Limits(8, 16)).length());
    }
}

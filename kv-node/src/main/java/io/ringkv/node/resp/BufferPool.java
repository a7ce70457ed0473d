package io.ringkv.node.resp;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.agrona.ExpandableArrayBuffer;

/**
 * Read and write buffers lent to connections while they have bytes in flight, so an idle connection holds
 * none. Front door's thread only. Buffers that grew past their first size are dropped instead of kept.
 */
final class BufferPool {
    static final int READ_BUFFER_BYTES = 16 * 1024;
    static final int WRITE_BUFFER_BYTES = 16 * 1024;
    private static final int MAX_POOLED = 64;

    private final ArrayDeque<ByteBuffer> readBuffers = new ArrayDeque<>();
    private final ArrayDeque<ExpandableArrayBuffer> writeBuffers = new ArrayDeque<>();

    /** @return an empty buffer in read mode (position = limit = 0) */
    ByteBuffer acquireRead() {
        ByteBuffer buffer = readBuffers.poll();
        return (buffer != null ? buffer : ByteBuffer.allocate(READ_BUFFER_BYTES)).limit(0);
    }

    void release(ByteBuffer buffer) {
        if (readBuffers.size() < MAX_POOLED) {
            readBuffers.push(buffer.clear());
        }
    }

    ExpandableArrayBuffer acquireWrite() {
        ExpandableArrayBuffer buffer = writeBuffers.poll();
        return buffer != null ? buffer : new ExpandableArrayBuffer(WRITE_BUFFER_BYTES);
    }

    void release(ExpandableArrayBuffer buffer) {
        if (writeBuffers.size() < MAX_POOLED && buffer.capacity() == WRITE_BUFFER_BYTES) {
            writeBuffers.push(buffer);
        }
    }
}

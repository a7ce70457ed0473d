package io.ringkv.api;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * Reads the standard SBE message header that starts every ringkv message: block length, template id, schema id
 * and schema version, each an unsigned 16-bit little-endian integer. Transports route on the schema id without
 * the generated codecs of any module.
 */
public final class MessageHeader {
    /** Bytes in the header. */
    public static final int LENGTH = 8;
    private static final int TEMPLATE_ID_OFFSET = 2;
    private static final int SCHEMA_ID_OFFSET = 4;
    private static final int VERSION_OFFSET = 6;

    private MessageHeader() {
    }

    /** @return the schema id of the message at {@code offset}; the caller checked {@code length >= LENGTH} */
    public static int schemaId(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /** @return the template (message type) id of the message at {@code offset} */
    public static int templateId(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + TEMPLATE_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /** @return the schema version of the message at {@code offset} */
    public static int version(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }
}

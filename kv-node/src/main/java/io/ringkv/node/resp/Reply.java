package io.ringkv.node.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One reply to a client, independent of the protocol version: {@link RespEncoder} writes it as RESP2 or RESP3.
 */
sealed interface Reply {
    Reply OK = new Simple("OK");
    Reply NULL = Null.INSTANCE;
    Reply EMPTY_ARRAY = new Array(List.of());
    /** The longest error message sent, in characters: at most three UTF-8 bytes each, within the small bound. */
    int MAX_ERROR_CHARACTERS = 1024;

    /** A status line ({@code +OK}). */
    record Simple(String text) implements Reply {
    }

    /** An error line; {@code message} starts with its code word, e.g. {@code ERR ...}. */
    record Error(String message) implements Reply {
    }

    /** A signed 64-bit integer. */
    record Int(long value) implements Reply {
    }

    /** A binary-safe string. */
    record Bulk(byte[] bytes) implements Reply {
    }

    /** A stored value as a binary-safe string, encoded from the value's own bytes (no copy of them first). */
    record ValueBulk(io.ringkv.api.Value value) implements Reply {
    }

    /** Text for a human (INFO): a verbatim string in RESP3, a bulk string in RESP2. */
    record Verbatim(String text) implements Reply {
    }

    /** No value: {@code _} in RESP3, a null bulk string in RESP2. */
    enum Null implements Reply {
        INSTANCE
    }

    /** An ordered list of replies. */
    record Array(List<Reply> items) implements Reply {
    }

    /** Key-value pairs, flattened as {@code k1, v1, k2, v2...}: a map in RESP3, a flat array in RESP2. */
    record MapReply(List<Reply> keysAndValues) implements Reply {
        public MapReply {
            if (keysAndValues.size() % 2 != 0) {
                throw new IllegalArgumentException("a map needs pairs, got " + keysAndValues.size() + " items");
            }
        }
    }

    /**
     * An error, its message cut to {@link #MAX_ERROR_CHARACTERS} (with "...") so that an error quoting a client's
     * argument stays within the small reply bound ({@link CommandSpec#SMALL_REPLY_BYTES}) its request reserved.
     */
    static Reply error(String message) {
        return new Error(message.length() <= MAX_ERROR_CHARACTERS ? message
            : message.substring(0, MAX_ERROR_CHARACTERS - 3) + "...");
    }

    static Reply bulk(String text) {
        return new Bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply simple(String text) {
        return new Simple(text);
    }

    static Reply integer(long value) {
        return new Int(value);
    }
}

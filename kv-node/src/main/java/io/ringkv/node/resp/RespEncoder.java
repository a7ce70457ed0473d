package io.ringkv.node.resp;

import java.nio.charset.StandardCharsets;
import org.agrona.MutableDirectBuffer;

/**
 * Writes {@link Reply replies} in RESP2 or RESP3 into a buffer that grows as needed (an
 * {@link org.agrona.ExpandableArrayBuffer}). Status and error text is written on one line: CR and LF in it
 * become spaces, so a client-supplied name in an error cannot break the framing.
 */
final class RespEncoder {
    static final int RESP2 = 2;
    static final int RESP3 = 3;

    private RespEncoder() {
    }

    /** @return the offset after the encoded reply */
    static int encode(Reply reply, int protocol, MutableDirectBuffer out, int offset) {
        return switch (reply) {
            case Reply.Simple simple -> line(out, offset, '+', simple.text());
            case Reply.Error error -> line(out, offset, '-', error.message());
            case Reply.Int integer -> {
                int at = offset;
                out.putByte(at++, (byte) ':');
                at += out.putLongAscii(at, integer.value());
                yield crlf(out, at);
            }
            case Reply.Bulk bulk -> {
                int at = header(out, offset, '$', bulk.bytes().length);
                out.putBytes(at, bulk.bytes());
                yield crlf(out, at + bulk.bytes().length);
            }
            case Reply.ValueBulk bulk -> {
                int length = bulk.value().length();
                int at = header(out, offset, '$', length);
                out.putBytes(at, bulk.value().asReadOnlyBuffer(), 0, length);
                yield crlf(out, at + length);
            }
            case Reply.Verbatim verbatim -> verbatim(verbatim.text(), protocol, out, offset);
            case Reply.Null ignored -> protocol == RESP3 ? crlf(out, put(out, offset, '_'))
                : header(out, offset, '$', -1);
            case Reply.Array array -> {
                int at = header(out, offset, '*', array.items().size());
                for (Reply item : array.items()) {
                    at = encode(item, protocol, out, at);
                }
                yield at;
            }
            case Reply.MapReply map -> {
                int size = map.keysAndValues().size();
                int at = protocol == RESP3 ? header(out, offset, '%', size / 2) : header(out, offset, '*', size);
                for (Reply item : map.keysAndValues()) {
                    at = encode(item, protocol, out, at);
                }
                yield at;
            }
        };
    }

    private static int verbatim(String text, int protocol, MutableDirectBuffer out, int offset) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (protocol != RESP3) {
            return encode(new Reply.Bulk(bytes), protocol, out, offset);
        }
        int at = header(out, offset, '=', bytes.length + 4);
        at += out.putStringWithoutLengthAscii(at, "txt:");
        out.putBytes(at, bytes);
        return crlf(out, at + bytes.length);
    }

    private static int line(MutableDirectBuffer out, int offset, char type, String text) {
        int at = put(out, offset, type);
        int length = out.putStringWithoutLengthUtf8(at, text);
        for (int i = at; i < at + length; i++) {
            byte b = out.getByte(i);
            if (b == '\r' || b == '\n') {
                out.putByte(i, (byte) ' ');
            }
        }
        return crlf(out, at + length);
    }

    /** Writes {@code type}, the length and CRLF; returns the offset after them. */
    private static int header(MutableDirectBuffer out, int offset, char type, int length) {
        int at = put(out, offset, type);
        at += out.putIntAscii(at, length);
        return crlf(out, at);
    }

    private static int put(MutableDirectBuffer out, int offset, char b) {
        out.putByte(offset, (byte) b);
        return offset + 1;
    }

    private static int crlf(MutableDirectBuffer out, int offset) {
        out.putByte(offset, (byte) '\r');
        out.putByte(offset + 1, (byte) '\n');
        return offset + 2;
    }
}

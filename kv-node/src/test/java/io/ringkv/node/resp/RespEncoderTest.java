package io.ringkv.node.resp;

import static io.ringkv.node.resp.RespEncoder.RESP2;
import static io.ringkv.node.resp.RespEncoder.RESP3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.Value;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

class RespEncoderTest {

    @Test
    void nullIsANullBulkStringInResp2AndUnderscoreInResp3() {
        assertEquals("$-1\r\n", encode(Reply.NULL, RESP2));
        assertEquals("_\r\n", encode(Reply.NULL, RESP3));
    }

    @Test
    void aMapIsAFlatArrayInResp2AndAMapInResp3() {
        Reply map = new Reply.MapReply(List.of(Reply.bulk("proto"), Reply.integer(3)));
        assertEquals("*2\r\n$5\r\nproto\r\n:3\r\n", encode(map, RESP2));
        assertEquals("%1\r\n$5\r\nproto\r\n:3\r\n", encode(map, RESP3));
    }

    @Test
    void verbatimTextIsABulkStringInResp2AndATxtVerbatimStringInResp3() {
        assertEquals("$5\r\nhello\r\n", encode(new Reply.Verbatim("hello"), RESP2));
        assertEquals("=9\r\ntxt:hello\r\n", encode(new Reply.Verbatim("hello"), RESP3));
    }

    @Test
    void scalarsAndArraysAreTheSameInBothVersions() {
        Reply array = new Reply.Array(List.of(Reply.OK, Reply.integer(-42), new Reply.Bulk(new byte[] {0, '\r'}),
            Reply.error("ERR no")));
        String expected = "*4\r\n+OK\r\n:-42\r\n$2\r\n\0\r\r\n-ERR no\r\n";
        assertEquals(expected, encode(array, RESP2));
        assertEquals(expected, encode(array, RESP3));
    }

    @Test
    void aStoredValueIsTheSameBulkStringAsItsBytesAndGrowsTheBufferAtAnOffset() {
        byte[] bytes = new byte[300];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7);
        }
        Reply value = new Reply.ValueBulk(Value.of(bytes));
        for (int protocol : new int[] {RESP2, RESP3}) {
            assertEquals(encode(new Reply.Bulk(bytes), protocol), encode(value, protocol));
            assertEquals(encode(new Reply.Array(List.of(Reply.OK, new Reply.Bulk(bytes))), protocol),
                encode(new Reply.Array(List.of(Reply.OK, value)), protocol));
        }
        assertEquals("$0\r\n\r\n", encode(new Reply.ValueBulk(Value.of(new byte[0])), RESP2));
    }

    @Test
    void lineBreaksInStatusAndErrorTextBecomeSpacesSoFramingHolds() {
        assertEquals("-ERR unknown command 'a  b' \r\n", encode(Reply.error("ERR unknown command 'a\r\nb' "), RESP2));
        assertEquals("+x y\r\n", encode(Reply.simple("x\ny"), RESP3));
    }

    @Test
    void aMapNeedsPairs() {
        assertThrows(IllegalArgumentException.class, () -> new Reply.MapReply(List.of(Reply.OK)));
    }

    @Test
    void encodingAppendsAtTheOffsetAndGrowsTheBuffer() {
        ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
        int end = RespEncoder.encode(Reply.OK, RESP2, out, 0);
        end = RespEncoder.encode(new Reply.Bulk("x".repeat(100).getBytes(StandardCharsets.US_ASCII)), RESP2, out, end);
        assertEquals("+OK\r\n".length() + "$100\r\n".length() + 100 + 2, end);
        assertEquals("+OK\r\n$100\r\n", out.getStringWithoutLengthAscii(0, 11));
    }

    private static String encode(Reply reply, int protocol) {
        ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        int end = RespEncoder.encode(reply, protocol, out, 0);
        return new String(out.byteArray(), 0, end, StandardCharsets.ISO_8859_1);
    }
}

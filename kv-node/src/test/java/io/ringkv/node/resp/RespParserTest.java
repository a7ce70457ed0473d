package io.ringkv.node.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespParserTest {
    private static final int MAX_BULK = 1000;
    private static final int MAX_REQUEST = 10_000;

    private final RespParser parser = new RespParser(MAX_BULK, MAX_REQUEST);

    @Test
    void aRequestSplitAtEveryByteBoundaryParsesIdentically() throws RespProtocolException {
        byte[] request = bytes("*3\r\n$3\r\nSET\r\n$5\r\nk\r\ney\r\n$0\r\n\r\n");
        List<List<String>> expected = List.of(List.of("SET", "k\r\ney", ""));
        for (int split = 0; split <= request.length; split++) {
            RespParser fresh = new RespParser(MAX_BULK, MAX_REQUEST);
            List<List<String>> parsed = new ArrayList<>();
            parseAll(fresh, ByteBuffer.wrap(request, 0, split), parsed);
            parseAll(fresh, ByteBuffer.wrap(request, split, request.length - split), parsed);
            assertEquals(expected, parsed, "split at byte " + split);
        }
    }

    @Test
    void aRequestFedOneByteAtATimeParsesIdentically() throws RespProtocolException {
        byte[] request = bytes("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\nECHO  hi\tthere\r\n");
        List<List<String>> parsed = new ArrayList<>();
        for (byte b : request) {
            parseAll(parser, ByteBuffer.wrap(new byte[] {b}), parsed);
        }
        assertEquals(List.of(List.of("GET", "key"), List.of("ECHO", "hi", "there")), parsed);
    }

    @Test
    void aPipelinedBatchYieldsEveryRequestInOrder() throws RespProtocolException {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            batch.append("*2\r\n$3\r\nGET\r\n$").append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\n");
        }
        List<List<String>> parsed = new ArrayList<>();
        parseAll(parser, ByteBuffer.wrap(bytes(batch.toString())), parsed);
        assertEquals(100, parsed.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(List.of("GET", Integer.toString(i)), parsed.get(i));
        }
    }

    @Test
    void inlineCommandsSplitOnBlanksAndAcceptBareLineFeeds() throws RespProtocolException {
        List<List<String>> parsed = new ArrayList<>();
        parseAll(parser, ByteBuffer.wrap(bytes("PING\r\n\r\n  SET  a \t b \nget a\r\n")), parsed);
        assertEquals(List.of(List.of("PING"), List.of("SET", "a", "b"), List.of("get", "a")), parsed,
            "the empty line in between is no request");
    }

    @Test
    void emptyArraysAreNoRequests() throws RespProtocolException {
        List<List<String>> parsed = new ArrayList<>();
        parseAll(parser, ByteBuffer.wrap(bytes("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n")), parsed);
        assertEquals(List.of(List.of("PING")), parsed);
    }

    @Test
    void aNonNumericArrayLengthIsAnInvalidMultibulkLength() {
        assertEquals("invalid multibulk length", error("*x\r\n"));
        assertEquals("invalid multibulk length", error("*\r\n"));
        assertEquals("invalid multibulk length", error("*12345678901\r\n"), "too many digits");
    }

    @Test
    void anArrayOfMoreThanAMillionArgumentsIsRefusedAtItsHeader() {
        assertEquals("invalid multibulk length", error("*" + (RespParser.MAX_ARGUMENTS + 1) + "\r\n"));
    }

    @Test
    void anArrayElementThatIsNotABulkStringNamesWhatCame() {
        assertEquals("expected '$', got ':'", error("*1\r\n:1\r\n"));
        assertEquals("expected '$', got '\\x00'", error("*1\r\n\0"));
    }

    @Test
    void aNegativeOrNonNumericBulkLengthIsInvalid() {
        assertEquals("invalid bulk length", error("*1\r\n$-1\r\n"));
        assertEquals("invalid bulk length", error("*1\r\n$abc\r\n"));
        assertEquals("invalid bulk length", error("*1\r\n$3\rx"), "CR must be followed by LF");
    }

    @Test
    void aHugeBulkLengthIsRefusedAtItsHeaderBeforeAnyBodyArrives() {
        assertEquals("invalid bulk length 2147483647 (the limit is 1000 bytes)", error("*1\r\n$2147483647\r\n"));
        assertEquals("invalid bulk length 1001 (the limit is 1000 bytes)", error("*1\r\n$1001\r\n"));
    }

    @Test
    void aBulkStringLongerThanDeclaredIsAnError() {
        assertEquals("bulk string longer than its declared length 3", error("*1\r\n$3\r\nPINGG\r\n"));
    }

    @Test
    void aRequestOverTheRequestBoundIsAnError() {
        StringBuilder request = new StringBuilder("*20\r\n");
        String body = "x".repeat(MAX_BULK);
        for (int i = 0; i < 20; i++) {
            request.append("$").append(MAX_BULK).append("\r\n").append(body).append("\r\n");
        }
        assertEquals("request larger than " + MAX_REQUEST + " bytes", error(request.toString()));
    }

    @Test
    void anInlineLineWithoutEndBeyond64KiBIsTooBig() {
        assertEquals("too big inline request", error("A".repeat(RespParser.MAX_INLINE_BYTES + 1)));
    }

    @Test
    void aHalfSentRequestWaitsWithoutAnswering() throws RespProtocolException {
        assertFalse(parser.parse(ByteBuffer.wrap(bytes("*2\r\n$3\r\nGET\r\n$3\r\nk"))));
        assertTrue(parser.parse(ByteBuffer.wrap(bytes("ey\r\n"))));
        assertEquals(List.of("GET", "key"), strings(parser.request()));
    }

    @Test
    void beforeALoginARequestIsHeldToTenArgumentsOfSixteenKibAsRedisHoldsIt() throws RespProtocolException {
        RespParser guarded = new RespParser(1 << 20, 4 << 20);
        guarded.unauthenticated(true);
        int most = RespParser.MAX_UNAUTHENTICATED_BULK_BYTES;
        assertTrue(guarded.parse(ByteBuffer.wrap(bytes(request(10, most)))), "the most a login may send");
        assertEquals("unauthenticated multibulk length", assertThrows(RespProtocolException.class,
            () -> new Guarded().parse(request(11, 1))).getMessage());
        assertEquals("unauthenticated bulk length", assertThrows(RespProtocolException.class,
            () -> new Guarded().parse(request(1, most + 1))).getMessage());
        assertEquals("unauthenticated multibulk length", assertThrows(RespProtocolException.class,
            () -> new Guarded().parse("GET a a a a a a a a a a\r\n")).getMessage(), "an inline line of 11 words");
        assertTrue(new Guarded().parse("AUTH a b c d e f g h i\r\n"), "an inline line of 10 words");
        guarded.unauthenticated(false);
        assertTrue(guarded.parse(ByteBuffer.wrap(bytes(request(100, most + 1)))), "once logged in");
        assertEquals(100, guarded.request().size());
    }

    /** A parser that must log in first, with the node's own limits otherwise. */
    private static final class Guarded {
        private final RespParser parser = new RespParser(1 << 20, 4 << 20);

        boolean parse(String input) throws RespProtocolException {
            parser.unauthenticated(true);
            return parser.parse(ByteBuffer.wrap(bytes(input)));
        }
    }

    private static String request(int arguments, int bytesEach) {
        StringBuilder text = new StringBuilder("*" + arguments + "\r\n");
        String argument = "x".repeat(bytesEach);
        for (int i = 0; i < arguments; i++) {
            text.append('$').append(bytesEach).append("\r\n").append(argument).append("\r\n");
        }
        return text.toString();
    }

    private String error(String input) {
        return assertThrows(RespProtocolException.class,
            () -> parseAll(new RespParser(MAX_BULK, MAX_REQUEST), ByteBuffer.wrap(bytes(input)), new ArrayList<>()))
            .getMessage();
    }

    private static void parseAll(RespParser parser, ByteBuffer in, List<List<String>> into)
        throws RespProtocolException {
        while (in.hasRemaining()) {
            if (parser.parse(in)) {
                into.add(strings(parser.request()));
            }
        }
    }

    private static List<String> strings(List<byte[]> arguments) {
        return arguments.stream().map(a -> new String(a, StandardCharsets.UTF_8)).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}

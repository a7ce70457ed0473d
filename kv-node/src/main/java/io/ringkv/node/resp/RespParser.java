package io.ringkv.node.resp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses requests byte by byte as they arrive, so a request split anywhere across reads parses the same: arrays
 * of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and inline commands ({@code GET k\r\n}, split on
 * spaces and tabs, no quoting). Every length is checked before anything is allocated for it.
 */
final class RespParser {
    /** Most arguments in one request, as Redis. */
    static final int MAX_ARGUMENTS = 1024 * 1024;
    /** Longest inline command line, as Redis. */
    static final int MAX_INLINE_BYTES = 64 * 1024;
    /** What one argument costs besides its bytes, charged against the request bound (array slot, header). */
    static final int ARGUMENT_OVERHEAD_BYTES = 32;
    /** Most arguments of a request from a connection that must log in first, as Redis (AUTH and HELLO fit). */
    static final int MAX_UNAUTHENTICATED_ARGUMENTS = 10;
    /** Longest argument of a request from a connection that must log in first, as Redis. */
    static final int MAX_UNAUTHENTICATED_BULK_BYTES = 16 * 1024;
    private static final int MAX_LENGTH_DIGITS = 10;
    private static final byte[] EMPTY = new byte[0];

    private enum State { START, ARRAY_LENGTH, BULK_MARKER, BULK_LENGTH, BULK_BODY, BULK_CR, BULK_LF, INLINE }

    private final int maxBulkBytes;
    private final long maxRequestBytes;
    private final List<byte[]> arguments = new ArrayList<>();
    private State state = State.START;
    private boolean complete;
    private long requestBytes;
    private int remainingArguments;
    private byte[] bulk;
    private int bulkFilled;
    private long number;
    private int digits;
    private boolean negative;
    private boolean sawCr;
    private byte[] line = EMPTY;
    private int lineLength;
    private boolean unauthenticated;

    /**
     * @param maxBulkBytes longest bulk string accepted
     * @param maxRequestBytes most bytes one request may hold (arguments plus {@value #ARGUMENT_OVERHEAD_BYTES}
     *     each)
     */
    RespParser(int maxBulkBytes, long maxRequestBytes) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * Consumes bytes from {@code in} until one request is complete or {@code in} is exhausted.
     *
     * @return true when a request is complete: {@link #request()} holds it until the next call
     * @throws RespProtocolException when the bytes are not a valid request (the message is Redis' wording)
     */
    boolean parse(ByteBuffer in) throws RespProtocolException {
        if (complete) {
            reset();
        }
        while (in.hasRemaining() && !complete) {
            switch (state) {
                case START -> start(in);
                case ARRAY_LENGTH -> arrayLength(in.get());
                case BULK_MARKER -> bulkMarker(in.get());
                case BULK_LENGTH -> bulkLength(in.get());
                case BULK_BODY -> bulkBody(in);
                case BULK_CR -> expect(in.get(), '\r', State.BULK_LF);
                case BULK_LF -> bulkEnd(in.get());
                case INLINE -> inline(in);
            }
        }
        return complete;
    }

    /**
     * Until a connection that must log in has, its requests are held to {@value #MAX_UNAUTHENTICATED_ARGUMENTS}
     * arguments of at most {@value #MAX_UNAUTHENTICATED_BULK_BYTES} bytes: a client without a password cannot make
     * the node hold the megabytes a request may otherwise reach.
     */
    void unauthenticated(boolean value) {
        unauthenticated = value;
    }

    /** @return true when part of a request has arrived and the rest has not */
    boolean midRequest() {
        return !complete && state != State.START;
    }

    /** @return the arguments of the request {@link #parse} just completed, command name first */
    List<byte[]> request() {
        return arguments;
    }

    private void reset() {
        arguments.clear();
        complete = false;
        requestBytes = 0;
        bulk = null;
    }

    private void start(ByteBuffer in) {
        if (in.get(in.position()) == '*') {
            in.get();
            startNumber(State.ARRAY_LENGTH);
        } else {
            lineLength = 0;
            state = State.INLINE;
        }
    }

    private void startNumber(State next) {
        number = 0;
        digits = 0;
        negative = false;
        sawCr = false;
        state = next;
    }

    /** Accumulates one byte of a {@code <digits>\r\n} line; returns true when the line ended. */
    private boolean numberByte(byte b, String invalid) throws RespProtocolException {
        if (sawCr) {
            if (b != '\n' || digits == 0) {
                throw new RespProtocolException(invalid);
            }
            return true;
        }
        if (b == '\r') {
            sawCr = true;
        } else if (b == '-' && digits == 0 && !negative) {
            negative = true;
        } else if (b >= '0' && b <= '9' && digits < MAX_LENGTH_DIGITS) {
            number = number * 10 + (b - '0');
            digits++;
        } else {
            throw new RespProtocolException(invalid);
        }
        return false;
    }

    private void arrayLength(byte b) throws RespProtocolException {
        if (!numberByte(b, "invalid multibulk length")) {
            return;
        }
        long count = negative ? -number : number;
        if (count > MAX_ARGUMENTS) {
            throw new RespProtocolException("invalid multibulk length");
        }
        if (unauthenticated && count > MAX_UNAUTHENTICATED_ARGUMENTS) {
            throw new RespProtocolException("unauthenticated multibulk length");
        }
        if (count <= 0) {
            // *0 and *-1 are empty requests; Redis ignores them
            state = State.START;
            return;
        }
        remainingArguments = (int) count;
        state = State.BULK_MARKER;
    }

    private void bulkMarker(byte b) throws RespProtocolException {
        if (b != '$') {
            throw new RespProtocolException("expected '$', got '" + printable(b) + "'");
        }
        startNumber(State.BULK_LENGTH);
    }

    private void bulkLength(byte b) throws RespProtocolException {
        if (!numberByte(b, "invalid bulk length") ) {
            return;
        }
        if (negative) {
            throw new RespProtocolException("invalid bulk length");
        }
        if (unauthenticated && number > MAX_UNAUTHENTICATED_BULK_BYTES) {
            throw new RespProtocolException("unauthenticated bulk length");
        }
        if (number > maxBulkBytes) {
            throw new RespProtocolException("invalid bulk length " + number + " (the limit is " + maxBulkBytes
                + " bytes)");
        }
        charge(number);
        bulk = number == 0 ? EMPTY : new byte[(int) number];
        bulkFilled = 0;
        state = number == 0 ? State.BULK_CR : State.BULK_BODY;
    }

    private void bulkBody(ByteBuffer in) {
        int n = Math.min(in.remaining(), bulk.length - bulkFilled);
        in.get(bulk, bulkFilled, n);
        bulkFilled += n;
        if (bulkFilled == bulk.length) {
            state = State.BULK_CR;
        }
    }

    private void expect(byte b, char expected, State next) throws RespProtocolException {
        if (b != expected) {
            throw new RespProtocolException("bulk string longer than its declared length " + bulk.length);
        }
        state = next;
    }

    private void bulkEnd(byte b) throws RespProtocolException {
        expect(b, '\n', State.BULK_MARKER);
        arguments.add(bulk);
        bulk = null;
        if (--remainingArguments == 0) {
            complete = true;
            state = State.START;
        }
    }

    private void inline(ByteBuffer in) throws RespProtocolException {
        int start = in.position();
        int end = start;
        while (end < in.limit() && in.get(end) != '\n') {
            end++;
        }
        boolean ended = end < in.limit();
        appendLine(in, end - start);
        if (ended) {
            in.get();
            state = State.START;
            splitLine();
        }
    }

    private void addInlineWord(byte[] word) throws RespProtocolException {
        if (unauthenticated && arguments.size() == MAX_UNAUTHENTICATED_ARGUMENTS) {
            throw new RespProtocolException("unauthenticated multibulk length");
        }
        arguments.add(word);
    }

    private void appendLine(ByteBuffer in, int n) throws RespProtocolException {
        if (lineLength + n > MAX_INLINE_BYTES) {
            throw new RespProtocolException("too big inline request");
        }
        if (lineLength + n > line.length) {
            byte[] grown = new byte[Math.min(MAX_INLINE_BYTES, Math.max(lineLength + n, line.length * 2 + 64))];
            System.arraycopy(line, 0, grown, 0, lineLength);
            line = grown;
        }
        in.get(line, lineLength, n);
        lineLength += n;
    }

    private void splitLine() throws RespProtocolException {
        int end = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        int i = 0;
        while (i < end) {
            while (i < end && isBlank(line[i])) {
                i++;
            }
            int wordStart = i;
            while (i < end && !isBlank(line[i])) {
                i++;
            }
            if (i > wordStart) {
                byte[] word = new byte[i - wordStart];
                System.arraycopy(line, wordStart, word, 0, word.length);
                addInlineWord(word);
            }
        }
        // an empty line is no request (Redis ignores it too)
        complete = !arguments.isEmpty();
        if (line.length > 1024) {
            line = EMPTY;
        }
    }

    private void charge(long bulkBytes) throws RespProtocolException {
        requestBytes += bulkBytes + ARGUMENT_OVERHEAD_BYTES;
        if (requestBytes > maxRequestBytes) {
            throw new RespProtocolException("request larger than " + maxRequestBytes + " bytes");
        }
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}

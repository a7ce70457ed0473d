package io.ringkv.node.resp;

import io.ringkv.node.metrics.RequestMetrics;
import io.ringkv.node.service.AnswerChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.ExpandableArrayBuffer;

/**
 * One client connection on the front door's thread: reads and parses requests, dispatches them, and writes the
 * replies in request order. Pipelined requests run at once, up to {@link RespConfig#maxPendingReplies()}, except
 * that a request naming a key of an earlier unanswered request waits for it (and holds the requests behind it), so
 * a pipeline behaves as Redis runs it one by one: {@code SET k 1; SET k 2; GET k} answers 2. It stops reading
 * (back-pressure) while too many replies are pending, while too many reply bytes wait for the client, or while a
 * request waits for a key; it resumes when they drain. Answers that arrive
 * while the client has {@link RespConfig#maxUnsentReplyBytes()} unread wait as they are until it reads, so a
 * client that never reads holds at most that many encoded bytes (plus one reply) and
 * {@link RespConfig#maxPendingReplies()} answers.
 *
 * <p>Answers are counted only once encoded, so before it dispatches a request the connection also reserves the
 * request's worst-case reply ({@link CommandSpec#replyBytes}) until that reply is encoded: a request waits (and
 * the connection stops reading) while the reserved bytes, the unsent bytes and its own worst case would exceed the
 * reply budget ({@link RespConfig#maxUnsentReplyBytes()}), except that a request is always let through when nothing
 * is reserved, so a single large MGET still runs. A request whose worst case exceeds
 * {@link RespConfig#maxReplyBytesPerRequest()} is answered with an error and not run.
 *
 * <p>When the client's input ends (it shut down its output, as {@code nc -N} does at the end of its input), what it
 * sent is still run and answered in order, and the connection closes once the replies are written; a request only
 * half sent is dropped. A connection that sends an HTTP request line or header ({@code POST}, {@code Host:}) is
 * closed at once, nothing after it run: a web page can make a browser send this port such a request.
 *
 * <p>It also knows when it should be closed for time: idle too long, or a request begun and not finished in time
 * ({@link #expiredBy}, {@link #nextDeadline}); the event loop asks.
 */
final class Connection implements CommandContext {
    private static final long NONE = Long.MAX_VALUE;
    private static final byte[] POST = "post".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HOST = "host:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final EventLoop loop;
    private final ClientStream stream;
    /** A read is queued on the loop for input the stream holds already (TLS), which no selector event will announce. */
    private boolean readQueued;
    /** A TLS handshake is under way: it is timed as a request, so a client that never finishes it is closed. */
    private boolean handshaking;
    private final SelectionKey key;
    private final RespParser parser;
    private final ClientSession session;
    private final int maxPendingReplies;
    private final int maxUnsentReplyBytes;
    private final long maxReplyBytesPerRequest;
    /** Worst-case bytes of the replies dispatched and not yet encoded. */
    private long reservedReplyBytes;
    /** The worst-case reply of the request being dispatched, until its reply takes the reservation. */
    private long dispatchingReplyBytes;
    /** The worst-case reply of the held request. */
    private long heldReplyBytes;
    private final long idleTimeoutNanos;
    private final long requestTimeoutNanos;
    private final ArrayDeque<ReplySlot> pending = new ArrayDeque<>();
    /** Keys of this connection's unanswered requests, with how many such requests name each. */
    private final Map<ByteBuffer, Integer> keysInFlight = new HashMap<>();
    /** The request being dispatched, for request metrics: its command (null outside a dispatch), consistency, start. */
    private String dispatchingCommand;
    private String dispatchingConsistency;
    private long dispatchingNanos;
    /** The keys of the request being dispatched, which {@link #defer} puts in flight. */
    private List<ByteBuffer> dispatchingKeys = List.of();
    /** A parsed request waiting for an earlier request on one of its keys to be answered, or null. */
    private List<byte[]> held;
    private List<ByteBuffer> heldKeys;
    /** Queued on the loop to be serviced once the answers at hand are in. */
    private boolean awaitingService;
    private int unanswered;
    private long reportedUnsentBytes;
    private long lastActivityNanos;
    private long requestStartNanos = NONE;
    private ByteBuffer in;
    private ExpandableArrayBuffer out;
    private ByteBuffer outView;
    private int outStart;
    private int outEnd;
    private boolean closing;
    /** The client's input ended: no more is read, and the connection closes once what it sent is answered. */
    private boolean inputEnded;
    private boolean closed;
    private boolean servicing;
    private boolean paused;
    /** The pause is the client's doing: it does not read its replies, so its request clock keeps running. */
    private boolean pausedByClient;

    Connection(EventLoop loop, SocketChannel channel, SelectionKey key, RespConfig config, ClientSession session) {
        this(loop, ClientStream.plain(channel), key, config, session);
    }

    /** A connection over {@code stream}: the socket itself, or TLS over it. */
    Connection(EventLoop loop, ClientStream stream, SelectionKey key, RespConfig config, ClientSession session) {
        this.loop = loop;
        this.stream = stream;
        this.key = key;
        this.parser = new RespParser(config.maxBulkBytes(), config.maxRequestBytes());
        this.session = session;
        this.maxPendingReplies = config.maxPendingReplies();
        this.maxUnsentReplyBytes = config.maxUnsentReplyBytes();
        this.maxReplyBytesPerRequest = config.maxReplyBytesPerRequest();
        this.idleTimeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis());
        this.requestTimeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis());
        this.lastActivityNanos = System.nanoTime();
        this.handshaking = stream.needsRead();
        if (handshaking) {
            requestStartNanos = lastActivityNanos;
        }
    }

    @Override
    public ClientSession session() {
        return session;
    }

    @Override
    public void reply(Reply reply) {
        if (dispatchingCommand != null) {
            record(dispatchingCommand, dispatchingConsistency, dispatchingNanos, reply);
        }
        if (pending.isEmpty()) {
            dispatchingReplyBytes = 0;
            encode(reply, session.protocol());
        } else {
            ReplySlot slot = new ReplySlot(this, session.protocol(), List.of());
            slot.fill(reply);
            reserveFor(slot);
            pending.add(slot);
        }
    }

    /** The slot takes the dispatching request's reply reservation, released when it is encoded. */
    private void reserveFor(ReplySlot slot) {
        slot.reserve(dispatchingReplyBytes);
        reservedReplyBytes += dispatchingReplyBytes;
        dispatchingReplyBytes = 0;
    }

    @Override
    public ReplySlot defer() {
        ReplySlot slot = new ReplySlot(this, session.protocol(), dispatchingKeys, dispatchingCommand,
            dispatchingConsistency, dispatchingNanos);
        for (ByteBuffer key : dispatchingKeys) {
            keysInFlight.merge(key, 1, Integer::sum);
        }
        reserveFor(slot);
        pending.add(slot);
        unanswered++;
        return slot;
    }

    @Override
    public AnswerChannel answers() {
        return loop;
    }

    @Override
    public void closeAfterReplies() {
        closing = true;
    }

    void onReadable() {
        if (in == null) {
            in = loop.buffers().acquireRead();
        }
        int read;
        try {
            in.compact();
            read = stream.read(in);
            in.flip();
        } catch (IOException e) {
            close();
            return;
        }
        if (read < 0) {
            if (handshaking) {
                close();
                return;
            }
            // the client sent all it will (a shutdown of its output, or nc at end of input): what it sent is
            // still run and answered, in order, before the connection closes, as Redis does
            inputEnded = true;
        }
        if (read > 0) {
            lastActivityNanos = System.nanoTime();
        }
        service();
    }

    void onWritable() {
        try {
            stream.flushPending();
        } catch (IOException e) {
            close();
            return;
        }
        flush();
        if (!closed) {
            service();
        }
    }

    /**
     * Called when the service answers, normally on the loop thread (answers come back in batches through the
     * loop's channel); from any other thread the reply is handed to the loop first. The connection is serviced
     * once the loop has taken every answer at hand, so a batch of answers costs one write, not one each.
     */
    void onSlotCompleted(ReplySlot slot, Reply reply, boolean serviceFailure) {
        if (!loop.onLoopThread()) {
            loop.execute(() -> onSlotCompleted(slot, reply, serviceFailure));
            return;
        }
        if (serviceFailure) {
            loop.counters().get(RespCounter.SERVICE_FAILURES).incrementRelease();
        }
        // recorded even for a client that left: the slowest requests are often the ones whose client gave up
        if (slot.command() != null) {
            record(slot.command(), slot.consistency(), slot.dispatchedNanos(), reply);
        }
        if (closed) {
            return;
        }
        slot.fill(reply);
        unanswered--;
        for (ByteBuffer key : slot.keys()) {
            keysInFlight.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
        }
        if (!servicing && !awaitingService) {
            awaitingService = true;
            loop.serviceSoon(this);
        }
    }

    /** Loop thread: services the connection after answers arrived (see {@link #onSlotCompleted}). */
    void serviceAfterAnswers() {
        awaitingService = false;
        if (!closed && !servicing) {
            service();
        }
    }

    /**
     * Parses and dispatches what may be, encodes what is answered, writes, and sets what to wait for. Writing or
     * an answer can lift a pause, so it repeats until no buffered request may run and no answer may be encoded.
     */
    private void service() {
        servicing = true;
        try {
            do {
                encodeAnswered();
                dispatchBuffered();
                if (inputEnded && !closing && held == null && (in == null || !in.hasRemaining())) {
                    // every request sent is dispatched (a partial one never will be): close once answered
                    closing = true;
                }
                flush();
            } while (!closed && (canEncode() || canDispatch()));
        } finally {
            servicing = false;
        }
        if (closed) {
            return;
        }
        if (in != null && (closing || !in.hasRemaining())) {
            loop.buffers().release(in);
            in = null;
        }
        updateInterest();
        loop.scheduleTimeoutCheck(nextDeadline());
    }

    private void dispatchBuffered() {
        try {
            while (!closed && hasRoom()) {
                List<byte[]> request;
                List<ByteBuffer> keys;
                long replyBytes;
                if (held != null) {
                    request = held;
                    keys = heldKeys;
                    replyBytes = heldReplyBytes;
                } else if (in != null && in.hasRemaining() && parseRequest()) {
                    requestStartNanos = NONE;
                    request = parser.request();
                    if (isHttp(request.getFirst())) {
                        loop.crossProtocolClosed(CommandDispatcher.text(request.getFirst()));
                        close();
                        return;
                    }
                    keys = loop.dispatcher().keysOf(request);
                    replyBytes = loop.dispatcher().replyBytes(request);
                    if (replyBytes > maxReplyBytesPerRequest) {
                        refuseTooLarge(request, replyBytes);
                        continue;
                    }
                } else {
                    break;
                }
                boolean overBudget = !withinBudget(replyBytes);
                if (overBudget || anyInFlight(keys)) {
                    if (held == null) {
                        held = List.copyOf(request);
                        heldKeys = keys;
                        heldReplyBytes = replyBytes;
                        if (overBudget) {
                            loop.counters().get(RespCounter.DISPATCH_HOLDS).incrementRelease();
                        }
                    }
                    break;
                }
                held = null;
                heldKeys = null;
                dispatchingReplyBytes = replyBytes;
                dispatch(request, keys);
                encodeAnswered();
            }
            if (handshaking && !stream.needsRead()) {
                handshaking = false;
                if (!parser.midRequest()) {
                    requestStartNanos = NONE;
                }
            }
            if (parser.midRequest() && requestStartNanos == NONE) {
                requestStartNanos = System.nanoTime();
            }
        } catch (RespProtocolException e) {
            loop.counters().get(RespCounter.PROTOCOL_ERRORS).incrementRelease();
            reply(Reply.error("ERR Protocol error: " + e.getMessage()));
            closing = true;
        }
        encodeAnswered();
    }

    /**
     * @return true for a request whose name is an HTTP method a browser sends across origins ({@code POST}) or a
     *     header every HTTP request carries ({@code Host:}): what a web page can make a browser send to this port,
     *     its body lines read as inline commands. Redis closes such a connection too; no command has these names.
     */
    private static boolean isHttp(byte[] name) {
        return asciiEqualsIgnoreCase(name, POST) || asciiEqualsIgnoreCase(name, HOST);
    }

    private static boolean asciiEqualsIgnoreCase(byte[] bytes, byte[] lowerCase) {
        if (bytes.length != lowerCase.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i];
            if ((b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b) != lowerCase[i]) {
                return false;
            }
        }
        return true;
    }

    /** Parses on from the buffered bytes, with the tight limits while the connection must still log in. */
    private boolean parseRequest() throws RespProtocolException {
        parser.unauthenticated(loop.dispatcher().awaitsLogin(session));
        return parser.parse(in);
    }

    /**
     * @return true when a request of {@code replyBytes} worst case may be dispatched: nothing is reserved, or the
     *     reserved and unsent bytes with it stay within the reply budget
     */
    private boolean withinBudget(long replyBytes) {
        return reservedReplyBytes == 0 || reservedReplyBytes + unsentBytes() + replyBytes <= maxUnsentReplyBytes;
    }

    /** Answers a request whose reply could exceed what one request may produce; it is not run. */
    private void refuseTooLarge(List<byte[]> request, long replyBytes) {
        loop.counters().get(RespCounter.REPLY_TOO_LARGE).incrementRelease();
        loop.counters().get(RespCounter.COMMANDS_PROCESSED).incrementRelease();
        String name = CommandDispatcher.text(request.getFirst()).toUpperCase(java.util.Locale.ROOT);
        reply(Reply.error("ERR " + name.substring(0, Math.min(32, name.length())) + " reply could exceed "
            + replyBytes + " bytes, more than the " + maxReplyBytesPerRequest + " one request may produce; split"
            + " the request (nothing was done)"));
    }

    private void dispatch(List<byte[]> request, List<ByteBuffer> keys) {
        CommandSpec spec = loop.dispatcher().lookup(request);
        dispatchingKeys = keys;
        dispatchingCommand = spec == null ? "unknown" : spec.name();
        dispatchingConsistency = spec != null && spec.firstKey() > 0 ? session.consistencyLabel()
            : RequestMetrics.NO_CONSISTENCY;
        dispatchingNanos = System.nanoTime();
        try {
            loop.dispatcher().dispatch(spec, request, this);
        } finally {
            dispatchingKeys = List.of();
            dispatchingCommand = null;
            dispatchingReplyBytes = 0;
        }
    }

    /** Records one answered request in the node's request metrics. */
    private void record(String command, String consistency, long dispatchedNanos, Reply reply) {
        loop.requests().record(command, consistency, System.nanoTime() - dispatchedNanos,
            reply instanceof Reply.Error error ? error.message() : null);
    }

    private boolean anyInFlight(List<ByteBuffer> keys) {
        if (keysInFlight.isEmpty()) {
            return false;
        }
        for (ByteBuffer key : keys) {
            if (keysInFlight.containsKey(key)) {
                return true;
            }
        }
        return false;
    }

    /** @return true while another request may be dispatched: room for its reply, none held back */
    private boolean hasRoom() {
        return !closing && pending.size() < maxPendingReplies && unsentBytes() < maxUnsentReplyBytes
            && !session.loginPending();
    }

    /** @return true when a request is at hand (held back or buffered) and may be tried now */
    private boolean canDispatch() {
        if (!hasRoom()) {
            return false;
        }
        return held != null ? !anyInFlight(heldKeys) && withinBudget(heldReplyBytes)
            : in != null && in.hasRemaining();
    }

    /**
     * @return true while the connection reads: room for more, no request waiting for an earlier one, and the
     *     client's input not ended
     */
    private boolean acceptingRequests() {
        return hasRoom() && held == null && !inputEnded;
    }

    /** @return true when the oldest pending reply is answered and the client has room for it */
    private boolean canEncode() {
        return !pending.isEmpty() && pending.peek().reply() != null && unsentBytes() < maxUnsentReplyBytes;
    }

    private void encodeAnswered() {
        while (canEncode()) {
            ReplySlot slot = pending.poll();
            reservedReplyBytes -= slot.reservedBytes();
            encode(slot.reply(), slot.protocol());
        }
        reportUnsentBytes();
    }

    private int unsentBytes() {
        return out == null ? 0 : outEnd - outStart;
    }

    private void reportUnsentBytes() {
        long unsent = unsentBytes();
        if (unsent != reportedUnsentBytes) {
            loop.counters().get(RespCounter.UNSENT_REPLY_BYTES).addRelease(unsent - reportedUnsentBytes);
            loop.counters().get(RespCounter.UNSENT_REPLY_BYTES_PEAK).proposeMaxRelease(unsent);
            reportedUnsentBytes = unsent;
        }
    }

    private void encode(Reply reply, int protocol) {
        if (out == null) {
            out = loop.buffers().acquireWrite();
            outStart = 0;
            outEnd = 0;
        }
        outEnd = RespEncoder.encode(reply, protocol, out, outEnd);
    }

    private void flush() {
        if (out != null && outEnd > outStart) {
            try {
                if (outView == null || outView.array() != out.byteArray()) {
                    outView = ByteBuffer.wrap(out.byteArray());
                }
                outView.limit(outEnd).position(outStart);
                int written = stream.write(outView);
                if (written > 0) {
                    outStart += written;
                    lastActivityNanos = System.nanoTime();
                }
            } catch (IOException e) {
                close();
                return;
            }
        }
        if (out != null && outStart == outEnd) {
            loop.buffers().release(out);
            out = null;
            outView = null;
        } else if (out != null && outStart >= outEnd - outStart) {
            // move the unsent tail to the front: else a client that reads slowly but never catches up would
            // grow the buffer by every reply ever sent to it
            System.arraycopy(out.byteArray(), outStart, out.byteArray(), 0, outEnd - outStart);
            outEnd -= outStart;
            outStart = 0;
        }
        reportUnsentBytes();
        if (closing && out == null && pending.isEmpty()) {
            close();
        }
    }

    private void updateInterest() {
        boolean accepting = acceptingRequests();
        if (!accepting && !paused && !closing && !inputEnded) {
            loop.counters().get(RespCounter.READ_PAUSES).incrementRelease();
        }
        if (accepting && paused && !pausedByClient && requestStartNanos != NONE) {
            // the request could not progress while the server was not reading it: its time starts again
            requestStartNanos = System.nanoTime();
        }
        paused = !accepting;
        pausedByClient = paused && (pausedByClient || unsentBytes() >= maxUnsentReplyBytes);
        int interest = (accepting || stream.needsRead() && !inputEnded ? SelectionKey.OP_READ : 0)
            | (out != null || stream.hasPendingOutput() ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != interest) {
            key.interestOps(interest);
        }
        if (accepting && !readQueued && stream.hasBufferedInput()) {
            readQueued = true;
            loop.later(() -> {
                readQueued = false;
                if (!closed) {
                    onReadable();
                }
            });
        }
    }

    /**
     * @return when this connection should be closed for time if nothing happens before: its request timeout when
     *     a request is half received (and the server is not holding it back), its idle timeout when it waits for no answer;
     *     {@link Long#MAX_VALUE} when neither applies
     */
    long nextDeadline() {
        long deadline = NONE;
        if (requestClockRuns()) {
            deadline = requestStartNanos + requestTimeoutNanos;
        }
        if (idleTimeoutNanos > 0 && unanswered == 0) {
            deadline = Math.min(deadline, lastActivityNanos + idleTimeoutNanos);
        }
        return deadline;
    }

    /**
     * A half-received request's clock stops while the server holds the connection back (answers still due from the
     * cluster), not while the client does (it leaves its replies unread): else a client could hold a partial
     * request and its buffers forever by never reading.
     */
    private boolean requestClockRuns() {
        return requestTimeoutNanos > 0 && requestStartNanos != NONE && (!paused || pausedByClient);
    }

    /** Closes the connection, counted by reason, when {@link #nextDeadline()} has passed. @return true if closed */
    boolean expiredBy(long nowNanos) {
        long deadline = nextDeadline();
        if (closed || deadline == NONE || nowNanos - deadline < 0) {
            return false;
        }
        boolean incomplete = requestClockRuns() && nowNanos - (requestStartNanos + requestTimeoutNanos) >= 0;
        if (incomplete) {
            loop.counters().get(RespCounter.CLOSED_INCOMPLETE_REQUEST).incrementRelease();
        } else {
            loop.counters().get(RespCounter.CLOSED_IDLE).incrementRelease();
        }
        close();
        return true;
    }

    /** Closes the socket and returns the buffers; replies still pending are dropped when they arrive. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        try {
            stream.close();
        } catch (IOException ignored) {
            // the peer is gone either way; nothing to report to anyone
        }
        if (in != null) {
            loop.buffers().release(in);
            in = null;
        }
        if (out != null) {
            loop.buffers().release(out);
            out = null;
        }
        reportUnsentBytes();
        pending.clear();
        keysInFlight.clear();
        held = null;
        reservedReplyBytes = 0;
        loop.onClosed(this);
    }
}

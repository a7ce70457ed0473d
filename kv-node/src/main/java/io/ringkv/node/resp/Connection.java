package io.ringkv.node.resp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import org.agrona.ExpandableArrayBuffer;

/**
 * One client connection on the front door's thread: reads and parses requests, dispatches them, and writes the
 * replies in request order. It stops reading (back-pressure) while a write is outstanding, while too many replies
 * are pending, or while too many reply bytes wait for the client; it resumes when they drain.
 */
final class Connection implements CommandContext {
    /** Reply bytes the client has not read yet before the server stops reading its requests. */
    static final int MAX_UNSENT_REPLY_BYTES = 1024 * 1024;

    private final EventLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final RespParser parser;
    private final ClientSession session;
    private final int maxPendingReplies;
    private final ArrayDeque<ReplySlot> pending = new ArrayDeque<>();
    private ByteBuffer in;
    private ExpandableArrayBuffer out;
    private ByteBuffer outView;
    private int outStart;
    private int outEnd;
    private boolean writeInFlight;
    private boolean closing;
    private boolean closed;
    private boolean servicing;
    private boolean paused;

    Connection(EventLoop loop, SocketChannel channel, SelectionKey key, RespConfig config, ClientSession session) {
        this.loop = loop;
        this.channel = channel;
        this.key = key;
        this.parser = new RespParser(config.maxBulkBytes(), config.maxRequestBytes());
        this.session = session;
        this.maxPendingReplies = config.maxPendingReplies();
    }

    @Override
    public ClientSession session() {
        return session;
    }

    @Override
    public void reply(Reply reply) {
        if (pending.isEmpty()) {
            encode(reply, session.protocol());
        } else {
            ReplySlot slot = new ReplySlot(this, session.protocol(), false);
            slot.fill(reply);
            pending.add(slot);
        }
    }

    @Override
    public ReplySlot defer(boolean write) {
        ReplySlot slot = new ReplySlot(this, session.protocol(), write);
        pending.add(slot);
        writeInFlight |= write;
        return slot;
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
            read = channel.read(in);
            in.flip();
        } catch (IOException e) {
            close();
            return;
        }
        if (read < 0) {
            close();
            return;
        }
        service();
    }

    void onWritable() {
        flush();
        if (!closed) {
            service();
        }
    }

    /** Called from any thread when the service answers; the reply reaches this connection on the loop thread. */
    void onSlotCompleted(ReplySlot slot, Reply reply, boolean serviceFailure) {
        loop.execute(() -> {
            if (serviceFailure) {
                loop.counters().onServiceFailure();
            }
            if (closed) {
                return;
            }
            slot.fill(reply);
            if (slot.isWrite()) {
                writeInFlight = false;
            }
            if (!servicing) {
                service();
            }
        });
    }

    /**
     * Parses and dispatches what may be, encodes what is answered, writes, and sets what to wait for. Writing or
     * an answer can lift a pause, so it repeats until no buffered request may run.
     */
    private void service() {
        servicing = true;
        try {
            do {
                encodeAnswered();
                dispatchBuffered();
                flush();
            } while (!closed && acceptingRequests() && in != null && in.hasRemaining());
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
    }

    private void dispatchBuffered() {
        try {
            while (!closed && acceptingRequests() && in != null && in.hasRemaining() && parser.parse(in)) {
                loop.dispatcher().dispatch(parser.request(), this);
                encodeAnswered();
            }
        } catch (RespProtocolException e) {
            loop.counters().onProtocolError();
            reply(Reply.error("ERR Protocol error: " + e.getMessage()));
            closing = true;
        }
        encodeAnswered();
    }

    private boolean acceptingRequests() {
        return !closing && !writeInFlight && pending.size() < maxPendingReplies
            && outEnd - outStart < MAX_UNSENT_REPLY_BYTES;
    }

    private void encodeAnswered() {
        while (!pending.isEmpty() && pending.peek().reply() != null) {
            ReplySlot slot = pending.poll();
            encode(slot.reply(), slot.protocol());
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
                outStart += channel.write(outView);
            } catch (IOException e) {
                close();
                return;
            }
        }
        if (out != null && outStart == outEnd) {
            loop.buffers().release(out);
            out = null;
            outView = null;
        }
        if (closing && out == null && pending.isEmpty()) {
            close();
        }
    }

    private void updateInterest() {
        boolean accepting = acceptingRequests();
        if (!accepting && !paused && !closing) {
            loop.counters().onReadPaused();
        }
        paused = !accepting;
        int interest = (accepting ? SelectionKey.OP_READ : 0) | (out != null ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != interest) {
            key.interestOps(interest);
        }
    }

    /** Closes the socket and returns the buffers; replies still pending are dropped when they arrive. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        try {
            channel.close();
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
        pending.clear();
        loop.onClosed(this);
    }
}

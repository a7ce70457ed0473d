package io.ringkv.node.resp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS over a client's non-blocking socket, on the front door's thread: the handshake is driven by the connection's
 * reads (and the writes it needs), then requests are decrypted as they arrive and replies encrypted as they go.
 * Three buffers of one TLS record each (about 16 KiB): bytes from the network, decrypted bytes not yet parsed,
 * encrypted bytes not yet sent. The handshake's key exchange runs on this thread ({@code NEED_TASK}): a
 * millisecond or two per new connection.
 */
final class TlsStream implements ClientStream {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final SSLEngine engine;
    /** Write mode: network bytes not yet decrypted. */
    private final ByteBuffer netIn;
    /** Write mode: encrypted bytes not yet sent. */
    private final ByteBuffer netOut;
    /** Write mode: decrypted bytes not yet handed to the parser. */
    private ByteBuffer appIn;
    private boolean inboundDone;
    /**
     * The last read ended wanting bytes the socket did not have: what {@link #netIn} holds is part of a record, and
     * nothing can be read from it before the socket brings more (which the selector reports).
     */
    private boolean starved;

    /** @param engine a server-mode engine with the port's parameters set */
    TlsStream(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.netOut = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (true) {
            if (appIn.position() > 0) {
                return drainInto(dst);
            }
            if (inboundDone) {
                return -1;
            }
            SSLEngineResult.HandshakeStatus handshake = engine.getHandshakeStatus();
            if (handshake == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            if (handshake == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                wrap(EMPTY);
                if (!flushPending()) {
                    return 0;
                }
                continue;
            }
            netIn.flip();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
            }
            switch (result.getStatus()) {
                case CLOSED -> {
                    inboundDone = true;
                    continue;
                }
                case BUFFER_OVERFLOW -> {
                    appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                    continue;
                }
                case BUFFER_UNDERFLOW, OK -> {
                    if (result.getStatus() == SSLEngineResult.Status.OK
                        && (result.bytesConsumed() > 0 || result.bytesProduced() > 0)) {
                        continue;
                    }
                    int read = channel.read(netIn);
                    if (read < 0) {
                        inboundDone = true;
                        return appIn.position() > 0 ? drainInto(dst) : -1;
                    }
                    starved = read == 0;
                    if (starved) {
                        return 0;
                    }
                }
            }
        }
    }

    private int drainInto(ByteBuffer dst) {
        appIn.flip();
        int moved = Math.min(appIn.remaining(), dst.remaining());
        ByteBuffer slice = appIn.slice(appIn.position(), moved);
        dst.put(slice);
        appIn.position(appIn.position() + moved);
        appIn.compact();
        return moved;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!flushPending()) {
            return 0;
        }
        int taken = 0;
        while (src.hasRemaining()) {
            SSLEngineResult result = wrap(src);
            taken += result.bytesConsumed();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("the TLS session is closed");
            }
            if (!flushPending()) {
                break;
            }
        }
        return taken;
    }

    private SSLEngineResult wrap(ByteBuffer src) throws IOException {
        while (true) {
            SSLEngineResult result = engine.wrap(src, netOut);
            if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                return result;
            }
            // the pending record must leave first; when the socket takes nothing now, report no progress
            if (!flushPending()) {
                return result;
            }
        }
    }

    @Override
    public boolean hasPendingOutput() {
        return netOut.position() > 0;
    }

    @Override
    public boolean flushPending() throws IOException {
        if (netOut.position() == 0) {
            return true;
        }
        netOut.flip();
        try {
            channel.write(netOut);
        } finally {
            netOut.compact();
        }
        return netOut.position() == 0;
    }

    @Override
    public boolean needsRead() {
        SSLEngineResult.HandshakeStatus handshake = engine.getHandshakeStatus();
        return handshake != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
            && handshake != SSLEngineResult.HandshakeStatus.FINISHED;
    }

    @Override
    public boolean hasBufferedInput() {
        // part of a record is no input: asked to read it again at once, the loop would spin until the rest came
        return appIn.position() > 0 || netIn.position() > 0 && !inboundDone && !starved;
    }

    @Override
    public void close() throws IOException {
        try {
            engine.closeOutbound();
            wrap(EMPTY);
            flushPending();
        } catch (IOException | RuntimeException ignored) {
            // the close_notify is a courtesy: the socket closes either way
        } finally {
            channel.close();
        }
    }

    private void runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    private static ByteBuffer grow(ByteBuffer buffer, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, buffer.capacity() * 2));
        buffer.flip();
        bigger.put(buffer);
        return bigger;
    }
}

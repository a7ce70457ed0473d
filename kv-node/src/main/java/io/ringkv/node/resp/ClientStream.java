package io.ringkv.node.resp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A client's bytes as the connection reads and writes them: the socket itself, or TLS over it ({@link TlsStream}).
 * Non-blocking like the socket: a call moves what it can now and returns. Owned by the front door's thread.
 */
interface ClientStream {
    /** @return request bytes put into {@code dst}, 0 when none is ready, -1 when the client closed */
    int read(ByteBuffer dst) throws IOException;

    /** @return reply bytes taken from {@code src}; what is taken is sent, or held by {@link #hasPendingOutput} */
    int write(ByteBuffer src) throws IOException;

    /** @return true when bytes wait for the socket to take them (the connection then asks to be told it may write) */
    boolean hasPendingOutput();

    /** Sends what waits, as far as the socket takes it. @return true when nothing waits any more */
    boolean flushPending() throws IOException;

    /** @return true while the stream must read before it can carry requests (a TLS handshake under way) */
    boolean needsRead();

    /**
     * @return true when request bytes already taken from the socket wait in the stream: the socket will not say
     *     it is readable for them, so the connection reads again itself
     */
    boolean hasBufferedInput();

    /** Closes the stream (a TLS close_notify when one can be sent at once) and the socket. */
    void close() throws IOException;

    /** The plain socket. */
    static ClientStream plain(SocketChannel channel) {
        return new ClientStream() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                return channel.read(dst);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return channel.write(src);
            }

            @Override
            public boolean hasPendingOutput() {
                return false;
            }

            @Override
            public boolean flushPending() {
                return true;
            }

            @Override
            public boolean needsRead() {
                return false;
            }

            @Override
            public boolean hasBufferedInput() {
                return false;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}

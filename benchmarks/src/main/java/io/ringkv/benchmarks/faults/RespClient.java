package io.ringkv.benchmarks.faults;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small blocking RESP2 client that returns what the server said, for the harness's clients and final reads.
 * Commands may be pipelined: {@link #send} several, {@link #flush}, then {@link #read} one reply each.
 */
final class RespClient implements AutoCloseable {
    /** A reply. */
    sealed interface Reply {
    }

    /** A simple string, an integer (as text) or a bulk string. */
    record Text(String text) implements Reply {
    }

    /** A null bulk string or array. */
    record Null() implements Reply {
    }

    /** An error reply, e.g. {@code TIMEOUT ...}. */
    record Error(String message) implements Reply {
    }

    /** An array. */
    record Array(List<Reply> items) implements Reply {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RespClient(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    /** Sends one command and reads its reply. */
    Reply call(String... parts) throws IOException {
        send(parts);
        flush();
        return read();
    }

    void send(String... parts) throws IOException {
        out.write(("*" + parts.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
    }

    void flush() throws IOException {
        out.flush();
    }

    Reply read() throws IOException {
        int type = in.read();
        return switch (type) {
            case '+', ':' -> new Text(line());
            case '-' -> new Error(line());
            case '_' -> {
                line();
                yield new Null();
            }
            case '$' -> {
                int length = Integer.parseInt(line());
                if (length < 0) {
                    yield new Null();
                }
                byte[] bytes = in.readNBytes(length);
                in.skipNBytes(2);
                yield new Text(new String(bytes, StandardCharsets.UTF_8));
            }
            case '*' -> {
                int count = Integer.parseInt(line());
                if (count < 0) {
                    yield new Null();
                }
                List<Reply> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                yield new Array(items);
            }
            case -1 -> throw new EOFException("the node closed the connection");
            default -> throw new IOException("unexpected RESP reply type '" + (char) type + "'");
        };
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c == -1) {
                throw new EOFException("the node closed the connection");
            }
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a broken connection: nothing to do
        }
    }
}

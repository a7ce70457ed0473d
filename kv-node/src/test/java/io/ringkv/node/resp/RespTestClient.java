package io.ringkv.node.resp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A raw-socket RESP client for tests: writes bytes exactly as given and reads replies as Java values: simple
 * strings as {@code String}, errors as {@link Err}, integers as {@code Long}, bulk and verbatim strings as
 * {@link Bulk}, nulls as {@link #NULL_BULK} (RESP2) or {@link #NULL} (RESP3), arrays as {@code List}, maps as
 * {@code Map}.
 */
final class RespTestClient implements AutoCloseable {
    static final Object NULL = "(RESP3 null)";
    static final Object NULL_BULK = "(RESP2 null bulk)";

    record Err(String message) {
    }

    record Bulk(String text) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RespTestClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** Sends one command as an array of bulk strings and reads its reply. */
    Object call(String... arguments) throws IOException {
        send(command(arguments));
        return read();
    }

    static byte[] command(String... arguments) {
        StringBuilder text = new StringBuilder("*").append(arguments.length).append("\r\n");
        for (String argument : arguments) {
            byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
            text.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return the commands, each as {@link #command} makes it, one after another: a pipeline */
    static byte[] pipeline(List<?>... commands) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (List<?> command : commands) {
            batch.writeBytes(command(command.stream().map(String::valueOf).toArray(String[]::new)));
        }
        return batch.toByteArray();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Ends the client's output (a half-close, as {@code nc -N} does at the end of its input); it still reads. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Leaves at once: closes the socket with a reset, as a client process that dies or gives up does. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** @return everything the server sends until it closes the connection (within the read timeout) */
    String readToEnd() throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                read.write(b);
            }
        } catch (java.net.SocketException e) {
            // a reset after the last byte: the server closed with the client's bytes unread, as it may
        }
        return read.toString(StandardCharsets.UTF_8);
    }

    /** @return true when the server closed the connection (EOF or reset) within the read timeout */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** @return true when nothing (no byte, no end of stream) arrives within {@code millis} */
    boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        in.mark(1);
        try {
            in.read();
            in.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("server closed the connection");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> new Err(line);
            case ':' -> Long.parseLong(line);
            case '$', '=' -> {
                int length = Integer.parseInt(line);
                yield length < 0 ? NULL_BULK : new Bulk(new String(exactly(length), StandardCharsets.UTF_8));
            }
            case '_' -> NULL;
            case '*' -> {
                List<Object> items = new ArrayList<>();
                for (int i = Integer.parseInt(line); i > 0; i--) {
                    items.add(read());
                }
                yield items;
            }
            case '%' -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = Integer.parseInt(line); i > 0; i--) {
                    map.put(read(), read());
                }
                yield map;
            }
            default -> throw new IOException("unexpected reply type '" + (char) type + "'");
        };
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\r') {
            if (b < 0) {
                throw new EOFException("server closed the connection mid-line");
            }
            line.write(b);
        }
        if (in.read() != '\n') {
            throw new IOException("CR without LF");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private byte[] exactly(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("bulk string cut short");
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

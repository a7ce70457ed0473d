package io.ringkv.node.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sends one command to a node's Redis-protocol port and reads one reply: what the operator commands
 * ({@code status}, {@code removenode}) use to talk to any node. Bounded: a connect and read timeout, and replies of
 * at most 16 MiB.
 */
final class AdminClient {
    private static final int TIMEOUT_MILLIS = 5000;
    private static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

    /** A reply: text, or an error the node sent. */
    record Reply(String text, boolean error) {
    }

    private AdminClient() {
    }

    /**
     * @return the node's reply to {@code command}
     * @throws IOException when the node cannot be reached or its reply is not understood
     */
    static Reply call(String host, int port, List<String> command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(command.size()).append("\r\n");
            for (String word : command) {
                request.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word)
                    .append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private static Reply read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return new Reply(line, false);
            case '-':
                return new Reply(line, true);
            case '$', '=': {
                int length = Integer.parseInt(line);
                if (length < 0 || length > MAX_REPLY_BYTES) {
                    throw new IOException("unexpected reply length " + length);
                }
                byte[] body = in.readNBytes(length);
                if (body.length != length) {
                    throw new IOException("the node closed the connection mid-reply");
                }
                String text = new String(body, StandardCharsets.UTF_8);
                return new Reply(type == '=' && text.length() >= 4 ? text.substring(4) : text, false);
            }
            default:
                throw new IOException("unexpected reply from the node (type " + (type < 0 ? "EOF" : (char) type) + ")");
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the node closed the connection");
            }
            if (previous == '\r' && b == '\n') {
                byte[] raw = bytes.toByteArray();
                return new String(raw, 0, raw.length - 1, StandardCharsets.UTF_8);
            }
            if (bytes.size() > 64 * 1024) {
                throw new IOException("reply line too long");
            }
            bytes.write(b);
            previous = b;
        }
    }
}

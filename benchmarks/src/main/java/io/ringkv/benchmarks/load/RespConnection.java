package io.ringkv.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal blocking RESP2 client for the load tool: writes commands as arrays of bulk strings and reads one
 * reply per command, telling values, nulls and errors apart. Works against any RESP server.
 */
final class RespConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    /** What a reply was. */
    enum Reply { OK, NULL, ERROR }

    /**
     * Connects, over TLS 1.3 when {@code tls} is given (the handshake done here, so the load measures requests
     * only).
     */
    RespConnection(String host, int port, int timeoutMillis, SSLSocketFactory tls) throws IOException {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(host, port), timeoutMillis);
        plain.setSoTimeout(timeoutMillis);
        if (tls != null) {
            try {
                SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port, true);
                secure.setEnabledProtocols(new String[] {"TLSv1.3"});
                secure.startHandshake();
                socket = secure;
            } catch (IOException e) {
                plain.close();
                throw e;
            }
        } else {
            socket = plain;
        }
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }

    void writeCommand(byte[]... parts) throws IOException {
        out.write('*');
        writeNumber(parts.length);
        for (byte[] part : parts) {
            out.write('$');
            writeNumber(part.length);
            out.write(part);
            out.write('\r');
            out.write('\n');
        }
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Reads one whole reply, nested arrays included. */
    Reply readReply() throws IOException {
        int type = in.read();
        switch (type) {
            case '+', ':' -> {
                readLine();
                return Reply.OK;
            }
            case '-' -> {
                readLine();
                return Reply.ERROR;
            }
            case '_' -> {
                readLine();
                return Reply.NULL;
            }
            case '$' -> {
                long length = Long.parseLong(readLine());
                if (length < 0) {
                    return Reply.NULL;
                }
                in.skipNBytes(length + 2);
                return Reply.OK;
            }
            case '*' -> {
                long count = Long.parseLong(readLine());
                for (long i = 0; i < count; i++) {
                    readReply();
                }
                return count < 0 ? Reply.NULL : Reply.OK;
            }
            case -1 -> throw new EOFException("server closed the connection");
            default -> throw new IOException("unexpected reply type '" + (char) type + "'");
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c == -1) {
                throw new EOFException("server closed the connection");
            }
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    private void writeNumber(long n) throws IOException {
        out.write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package io.ringkv.node.cli;

import io.ringkv.node.security.TrustedCertificates;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Sends one command to a node's Redis-protocol port and reads one reply: what the operator commands
 * ({@code status}, {@code removenode}) use to talk to any node. Bounded: a connect and read timeout, and replies of
 * at most 16 MiB. When {@value #AUTH_VARIABLE} is set it logs in first, as redis-cli does with {@code REDISCLI_AUTH};
 * when {@value TrustedCertificates#CACERT_VARIABLE} names a PEM file it speaks TLS, trusting those certificates for
 * the host it was given.
 */
final class AdminClient {
    /**
     * The environment variable the operator commands log in with: {@code user:password}, or a password alone for
     * the {@code default} user. An environment variable rather than an option, so the password is not on the command
     * line.
     */
    static final String AUTH_VARIABLE = "RINGKV_AUTH";
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
        return call(host, port, command, System.getenv(AUTH_VARIABLE));
    }

    /**
     * @param auth {@code user:password}, a password for the {@code default} user, or null (or empty) to send no AUTH
     * @return the node's reply to {@code command}, or its refusal of the login
     * @throws IOException when the node cannot be reached or its reply is not understood
     */
    static Reply call(String host, int port, List<String> command, String auth) throws IOException {
        return call(host, port, command, auth, System.getenv(TrustedCertificates.CACERT_VARIABLE));
    }

    /**
     * @param cacert a PEM file of the certificates to trust over TLS; null (or empty) for plaintext
     * @return the node's reply to {@code command}, or its refusal of the login
     * @throws IOException when the node cannot be reached, its TLS is not trusted or its reply is not understood
     */
    static Reply call(String host, int port, List<String> command, String auth, String cacert) throws IOException {
        try (Socket socket = connect(host, port, cacert)) {
            OutputStream out = socket.getOutputStream();
            boolean login = auth != null && !auth.isEmpty();
            StringBuilder request = new StringBuilder();
            if (login) {
                int colon = auth.indexOf(':');
                append(request, colon < 0 ? List.of("AUTH", auth)
                    : List.of("AUTH", auth.substring(0, colon), auth.substring(colon + 1)));
            }
            append(request, command);
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
            if (login) {
                Reply loggedIn = read(in);
                if (loggedIn.error()) {
                    return new Reply(loggedIn.text() + " (the login of " + AUTH_VARIABLE + ")", true);
                }
            }
            Reply reply = read(in);
            if (!login && reply.error() && reply.text().startsWith("NOAUTH")) {
                return new Reply(reply.text() + " Set " + AUTH_VARIABLE + "=user:password to log in.", true);
            }
            return reply;
        }
    }

    /**
     * @return a socket to the node, over TLS 1.3 when {@value TrustedCertificates#CACERT_VARIABLE} names the PEM
     *     certificates to trust (the node's own or its authority's); the certificate must name {@code host} (a DNS
     *     name or an IP address in its subject alternative names), as HTTPS checks
     */
    private static Socket connect(String host, int port, String cacert) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        if (cacert == null || cacert.isEmpty()) {
            return socket;
        }
        try {
            SSLSocket secure = (SSLSocket) TrustedCertificates.fromPem(Path.of(cacert)).getSocketFactory()
                .createSocket(socket, host, port, true);
            SSLParameters parameters = secure.getSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3"});
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            secure.setSSLParameters(parameters);
            secure.startHandshake();
            return secure;
        } catch (IOException e) {
            socket.close();
            throw new IOException("TLS with the certificates of " + TrustedCertificates.CACERT_VARIABLE + "="
                + cacert + " failed: " + e.getMessage(), e);
        }
    }

    private static void append(StringBuilder request, List<String> command) {
        request.append("*").append(command.size()).append("\r\n");
        for (String word : command) {
            request.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word)
                .append("\r\n");
        }
    }

    /** @return the {@code Authorization} header of {@code auth} ({@link #AUTH_VARIABLE}'s form), or null for none */
    static String basicAuthorization(String auth) {
        if (auth == null || auth.isEmpty()) {
            return null;
        }
        String credentials = auth.indexOf(':') < 0 ? "default:" + auth : auth;
        return "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
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

package io.ringkv.node.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A client port that answers {@code INFO <section>} requests with canned text, one request per connection as
 * {@link AdminClient} sends them, for a fixed number of requests.
 */
final class FakeNode implements AutoCloseable {
    private final ServerSocket server;
    private final Thread answering;

    /** @param sections the reply to a request naming each section; requests are matched in the map's order */
    FakeNode(int requests, Map<String, String> sections) throws IOException {
        server = new ServerSocket(0);
        answering = Thread.ofVirtual().start(() -> {
            for (int request = 0; request < requests; request++) {
                try (Socket socket = server.accept()) {
                    byte[] asked = new byte[256];
                    int read = socket.getInputStream().read(asked);
                    String question = new String(asked, 0, Math.max(0, read), StandardCharsets.UTF_8);
                    String text = sections.entrySet().stream().filter(entry -> question.contains(entry.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse("");
                    byte[] body = text.getBytes(StandardCharsets.UTF_8);
                    socket.getOutputStream().write(("$" + body.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                    socket.getOutputStream().write(body);
                    socket.getOutputStream().write("\r\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    /** Waits until every request was answered. */
    void awaitAnswered() throws InterruptedException {
        answering.join();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

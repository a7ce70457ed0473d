package io.ringkv.node.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A client port that answers requests with canned text (as a bulk string), one request per connection as
 * {@link AdminClient} sends them, for a fixed number of requests.
 */
final class FakeNode implements AutoCloseable {
    private final ServerSocket server;
    private final Thread answering;

    /** @param sections the reply to a request naming each section; requests are matched in the map's order */
    FakeNode(int requests, Map<String, String> sections) throws IOException {
        this(requests, (request, question) -> sections.entrySet().stream()
            .filter(entry -> question.contains(entry.getKey())).map(Map.Entry::getValue).findFirst().orElse(""));
    }

    /**
     * A node that answers the {@code i}th request (whatever it asks) with {@code script.get(i)}: a node whose state
     * moves on between requests.
     */
    FakeNode(List<String> script) throws IOException {
        this(script.size(), (request, question) -> script.get(request), false);
    }

    /**
     * As {@link #FakeNode(List)}, then the port closes: further requests are refused, as by a node that exited.
     */
    static FakeNode thenGone(List<String> script) throws IOException {
        return new FakeNode(script.size(), (request, question) -> script.get(request), true);
    }

    /** A node that answers each request with what {@code answer} makes of the request's bytes, while it runs. */
    static FakeNode answering(java.util.function.Function<String, String> answer) throws IOException {
        return new FakeNode(Integer.MAX_VALUE, (request, question) -> answer.apply(question), false);
    }

    private FakeNode(int requests, BiFunction<Integer, String, String> answer) throws IOException {
        this(requests, answer, false);
    }

    private FakeNode(int requests, BiFunction<Integer, String, String> answer, boolean thenGone) throws IOException {
        server = new ServerSocket(0);
        answering = Thread.ofVirtual().start(() -> {
            for (int request = 0; request < requests; request++) {
                try (Socket socket = server.accept()) {
                    byte[] asked = new byte[256];
                    int read = socket.getInputStream().read(asked);
                    String question = new String(asked, 0, Math.max(0, read), StandardCharsets.UTF_8);
                    String text = answer.apply(request, question);
                    byte[] body = text.getBytes(StandardCharsets.UTF_8);
                    socket.getOutputStream().write(("$" + body.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                    socket.getOutputStream().write(body);
                    socket.getOutputStream().write("\r\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (thenGone) {
                try {
                    server.close();
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

package io.ringkv.node.resp;

import static io.ringkv.node.resp.RespTestClient.NULL_BULK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Value;
import io.ringkv.node.resp.RespTestClient.Bulk;
import io.ringkv.node.resp.RespTestClient.Err;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.ForwardingKeyValueService;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.MapKeyValueService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What clients send at the edges of the protocol: HTTP a web page makes a browser send, input that ends before its
 * replies are written, replies that echo large arguments, and multi-key commands whose parts answer apart.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientInputTest {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final MapKeyValueService map = new MapKeyValueService(null);

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void aWebPagesHttpPostIsClosedBeforeItsBodyRuns() throws Exception {
        map.putNow(Key.utf8("colour"), Value.utf8("blue"), CausalContext.NONE);
        RespServer server = start(map);
        RespTestClient browser = client(server);
        // what fetch(url, {method: 'POST', mode: 'no-cors', body: ...}) sends: every body line an inline command
        browser.send("POST / HTTP/1.1\r\nHost: 127.0.0.1:7379\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n"
            + "\r\nSET pwn 1\r\nDEL colour\r\n");
        assertTrue(browser.closedByServer(), "the connection is closed");
        // a GET (or any method) is closed at its Host: header, after its request line answered an error
        RespTestClient get = client(server);
        get.send("GET / HTTP/1.1\r\nhost: 127.0.0.1:7379\r\n\r\nSET pwn 1\r\n");
        // its request line is a GET of the wrong arity, whose error may be sent or not before the close
        String answered = get.readToEnd();
        assertTrue(answered.isEmpty() || answered.startsWith("-ERR wrong number of arguments for 'get'"), answered);
        RespTestClient client = client(server);
        assertEquals(NULL_BULK, client.call("GET", "pwn"), "no body line ran");
        assertEquals(new Bulk("blue"), client.call("GET", "colour"));
        assertEquals(2, server.counters().value(RespCounter.CROSS_PROTOCOL_CLOSES));
        Bulk info = assertInstanceOf(Bulk.class, client.call("INFO", "stats"));
        assertTrue(info.text().contains("total_cross_protocol_closes:2"), info.text());
        // a key of that name is only a key
        assertEquals("OK", client.call("SET", "post", "host:"));
        assertEquals(new Bulk("host:"), client.call("GET", "post"));
    }

    @Test
    void whatAClientSentBeforeItsInputEndedIsAnsweredInOrderBeforeTheConnectionCloses() throws Exception {
        HeldAnswers gate = new HeldAnswers();
        KeyValueService gated = new ForwardingKeyValueService(map) {
            @Override
            public void put(Key key, Value value, CausalContext context, Consistency consistency,
                            Answer<Void> answer) {
                map.putNow(key, value, context);
                gate.hold(answer, null);
            }
        };
        RespServer server = start(gated);
        RespTestClient client = client(server);
        // no request waits for another's key, so the server goes on reading, and finds the end of input
        client.send(RespTestClient.pipeline(List.of("SET", "a", "1"), List.of("SET", "b", "2"), List.of("GET", "c")));
        client.shutdownOutput();
        // the end of input is seen while both writes are unanswered
        while (gate.asked.get() < 2) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        gate.releaseNext();
        gate.releaseNext();
        assertEquals("OK", client.read());
        assertEquals("OK", client.read());
        assertEquals(NULL_BULK, client.read());
        assertTrue(client.closedByServer(), "closed once everything sent is answered");
        assertEquals(new Bulk("2"), client(server).call("GET", "b"));
    }

    @Test
    void aHalfSentRequestAtTheEndOfInputIsDroppedAfterTheRepliesBeforeIt() throws Exception {
        RespServer server = start(map);
        RespTestClient client = client(server);
        client.send("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*2\r\n$3\r\nGET\r\n$1\r\n");
        client.shutdownOutput();
        assertEquals(new Bulk("hi"), client.read());
        assertTrue(client.closedByServer());
    }

    @Test
    void echoedRepliesReserveWhatTheyEcho() throws Exception {
        HeldAnswers gate = new HeldAnswers();
        KeyValueService gated = new ForwardingKeyValueService(map) {
            @Override
            public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
                gate.hold(answer, Optional.empty());
            }
        };
        RespServer server = start(gated);
        RespTestClient client = client(server);
        String large = "e".repeat(8 * 1024);
        int echoes = 300;
        client.send(RespTestClient.pipeline(List.of("GET", "k")));
        // written from another thread: the server stops reading once it holds a request, and this would block
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < echoes; i++) {
                    client.send(RespTestClient.pipeline(List.of("ECHO", large)));
                }
            } catch (IOException e) {
                // the test closes the connection while this may still write
            }
        });
        while (server.counters().value(RespCounter.DISPATCH_HOLDS) == 0) {
            Thread.sleep(5);
        }
        long echoesRun = server.counters().value(RespCounter.COMMANDS_PROCESSED) - 1;
        // each echo holds its 8 KiB argument until the GET before it is answered: within the 1 MiB budget that is
        // at most 128 of them (they reserved 4 KiB each, and 250 were run)
        long most = RespConfig.DEFAULT_MAX_UNSENT_REPLY_BYTES / large.length();
        assertTrue(echoesRun > 0 && echoesRun <= most, echoesRun + " echoes run while the GET was unanswered");
        gate.releaseNext();
        assertEquals(NULL_BULK, client.read());
        for (int i = 0; i < echoes; i++) {
            assertEquals(new Bulk(large), client.read());
        }
    }

    @Test
    void anErrorQuotingAnArgumentIsCut() throws Exception {
        RespTestClient client = client(start(map));
        String option = "x".repeat(9 * 1024);
        Err error = assertInstanceOf(Err.class, client.call("EXPIRE", "k", "10", option));
        assertTrue(error.message().startsWith("ERR Unsupported option xxx") && error.message().endsWith("..."),
            error.message());
        assertEquals(Reply.MAX_ERROR_CHARACTERS, error.message().length());
    }

    @Test
    void aMultiKeyCommandAnswersOnlyOnceEveryPartHasSoLaterRequestsOnItsKeysWait() throws Exception {
        HeldAnswers gate = new HeldAnswers();
        AtomicInteger putsOfB = new AtomicInteger();
        KeyValueService service = new ForwardingKeyValueService(map) {
            @Override
            public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
                if (key.equals(Key.utf8("a"))) {
                    answer.failed(new KvException(ErrorCode.UNAVAILABLE, "no replica of a answers"));
                } else {
                    gate.hold(answer, Boolean.TRUE);
                }
            }

            @Override
            public void put(Key key, Value value, CausalContext context, Consistency consistency,
                            Answer<Void> answer) {
                putsOfB.incrementAndGet();
                super.put(key, value, context, consistency, answer);
            }
        };
        RespTestClient client = client(start(service));
        client.send(RespTestClient.pipeline(List.of("DEL", "a", "b"), List.of("SET", "b", "1")));
        while (gate.asked.get() == 0) {
            Thread.sleep(5);
        }
        assertTrue(client.silentFor(200), "the DEL is not answered while its part on b is in flight");
        assertEquals(0, putsOfB.get(), "the SET of b waits for the DEL's part on b");
        gate.releaseNext();
        assertEquals(new Err("UNAVAILABLE no replica of a answers"), client.read());
        assertEquals("OK", client.read());
        assertEquals(1, putsOfB.get());
    }

    private RespServer start(KeyValueService service) {
        RespServer server = RespServer.start(RespConfig.onPort(0), service, NodeInfo.NONE);
        resources.add(server);
        return server;
    }

    private RespTestClient client(RespServer server) throws IOException {
        RespTestClient client = new RespTestClient(server.address());
        resources.add(client);
        return client;
    }
}

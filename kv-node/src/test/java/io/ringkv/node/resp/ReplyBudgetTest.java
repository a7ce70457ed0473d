package io.ringkv.node.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.Value;
import io.ringkv.node.resp.RespTestClient.Bulk;
import io.ringkv.node.resp.RespTestClient.Err;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.ForwardingKeyValueService;
import io.ringkv.node.service.MapKeyValueService;
import io.ringkv.replication.ReplicationConfig;
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
 * A connection reserves each request's worst-case reply before dispatching it: over the reply budget a request
 * waits for earlier replies to be encoded, and one whose worst case exceeds the per-request cap is refused unrun.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReplyBudgetTest {
    /** The least budget allowed: one GET's worst case (a 10 KiB value) fits it, two do not. */
    private static final RespConfig SMALL_BUDGET = RespConfig.onPort(0).withBackPressure(1024, 16 * 1024);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final MapKeyValueService map = new MapKeyValueService(null);

    /** Answers each GET only when the test lets it, in the order asked. */
    private final class GatedGets extends ForwardingKeyValueService {
        final HeldAnswers answers = new HeldAnswers();

        GatedGets() {
            super(map);
        }

        @Override
        public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
            answers.hold(answer, map.getNow(key));
        }
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void aRequestWhoseReplyCouldExceedTheBudgetWaitsUntilTheEarlierReplyIsEncoded() throws Exception {
        map.putNow(Key.utf8("a"), Value.utf8("va"), CausalContext.NONE);
        map.putNow(Key.utf8("b"), Value.utf8("vb"), CausalContext.NONE);
        GatedGets gated = new GatedGets();
        RespServer server = start(SMALL_BUDGET, gated);
        RespTestClient client = client(server);
        client.send(RespTestClient.pipeline(List.of("GET", "a"), List.of("GET", "b")));
        // either the server holds the second GET, or (without a budget) dispatches it at once
        while (server.counters().value(RespCounter.DISPATCH_HOLDS) == 0 && gated.answers.asked.get() < 2) {
            Thread.sleep(5);
        }
        assertEquals(1, server.counters().value(RespCounter.DISPATCH_HOLDS));
        assertEquals(1, gated.answers.asked.get(), "the second GET is held, not dispatched");
        gated.answers.releaseNext();
        assertEquals(new Bulk("va"), client.read());
        gated.answers.releaseNext();
        assertEquals(new Bulk("vb"), client.read());
        assertEquals(2, gated.answers.asked.get());
        assertEquals(1, server.counters().value(RespCounter.DISPATCH_HOLDS));
        Bulk info = assertInstanceOf(Bulk.class, client.call("INFO", "stats"));
        assertTrue(info.text().contains("total_reply_budget_holds:1"), info.text());
    }

    @Test
    void withinTheBudgetPipelinedRequestsAreDispatchedAtOnce() throws Exception {
        map.putNow(Key.utf8("a"), Value.utf8("va"), CausalContext.NONE);
        GatedGets gated = new GatedGets();
        RespServer server = start(RespConfig.onPort(0), gated);
        RespTestClient client = client(server);
        client.send(RespTestClient.pipeline(List.of("GET", "a"), List.of("GET", "b")));
        while (gated.answers.asked.get() < 2) {
            Thread.sleep(5);
        }
        gated.answers.releaseNext();
        gated.answers.releaseNext();
        assertEquals(new Bulk("va"), client.read());
        assertEquals(RespTestClient.NULL_BULK, client.read());
        assertEquals(0, server.counters().value(RespCounter.DISPATCH_HOLDS));
    }

    @Test
    void aSingleRequestOverTheBudgetRunsWhenNothingElseIsReserved() throws Exception {
        String value = "v".repeat(10 * 1024);
        List<String> mget = new ArrayList<>(List.of("MGET"));
        for (int i = 0; i < 10; i++) {
            map.putNow(Key.utf8("k" + i), Value.utf8(value), CausalContext.NONE);
            mget.add("k" + i);
        }
        RespServer server = start(SMALL_BUDGET, map);
        RespTestClient client = client(server);
        // about 100 KiB of worst-case reply against a 16 KiB budget
        List<?> values = assertInstanceOf(List.class, client.call(mget.toArray(String[]::new)));
        assertEquals(10, values.size());
        assertEquals(new Bulk(value), values.getLast());
        assertEquals("PONG", client.call("PING"));
    }

    @Test
    void aRequestWhoseReplyCouldExceedTheCapIsRefusedUnrunAndTheConnectionKeepsServing() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        ForwardingKeyValueService counting = new ForwardingKeyValueService(map) {
            @Override
            public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
                asked.incrementAndGet();
                super.get(key, consistency, answer);
            }
        };
        RespServer server = start(SMALL_BUDGET, counting);
        RespTestClient client = client(server);
        List<String> mget = new ArrayList<>(List.of("MGET"));
        for (int i = 0; i < 30; i++) {
            mget.add("k" + i);
        }
        // 30 × (10 KiB + framing) = 307,696 bytes against a cap of 16 × 16 KiB
        client.send(RespTestClient.pipeline(List.of("SET", "x", "1"), mget, List.of("GET", "x")));
        assertEquals("OK", client.read());
        assertEquals(new Err("ERR MGET reply could exceed 307696 bytes, more than the 262144 one request may"
            + " produce; split the request (nothing was done)"), client.read());
        assertEquals(new Bulk("1"), client.read());
        assertEquals(1, asked.get(), "only the GET reached the service");
        assertEquals(1, server.counters().value(RespCounter.REPLY_TOO_LARGE));
        assertEquals(262_144, SMALL_BUDGET.maxReplyBytesPerRequest());
    }

    @Test
    void commandsRepliesAreBoundedByTheNamesAskedForAndDocsAnswersANameOnce() throws Exception {
        // names cost a few bytes each and their entries hundreds: COMMAND was judged a small reply whatever it
        // listed, and a request of many names built one of tens of MB
        RespServer server = start(SMALL_BUDGET, map);
        RespTestClient client = client(server);
        // RESP2: the map of DOCS comes as a flat array, a name and its entry
        assertEquals(2, assertInstanceOf(List.class, client.call("COMMAND", "DOCS", "get", "get", "get")).size());
        assertEquals(3, assertInstanceOf(List.class, client.call("COMMAND", "INFO", "get", "get", "nosuch")).size());
        for (String subcommand : List.of("DOCS", "INFO")) {
            List<String> many = new ArrayList<>(List.of("COMMAND", subcommand));
            for (int i = 0; i < 2_000; i++) {
                many.add("scan");
            }
            Err refused = assertInstanceOf(Err.class, client.call(many.toArray(String[]::new)));
            assertTrue(refused.message().startsWith("ERR COMMAND reply could exceed "), refused.message());
        }
        assertEquals(2, server.counters().value(RespCounter.REPLY_TOO_LARGE));
        // every command's entry is still within what one request may produce
        assertEquals(36, assertInstanceOf(List.class, client.call("COMMAND")).size());
        assertEquals("PONG", client.call("PING"));
    }

    @Test
    void getvsReplyBoundCountsAsManySiblingsAsAReplicaKeeps() {
        assertEquals(ReplicationConfig.DEFAULT.maxSiblings(), KeyValueCommands.SIBLINGS_REPLIED);
    }

    private RespServer start(RespConfig config, io.ringkv.node.service.KeyValueService service) {
        RespServer server = RespServer.start(config, service, NodeInfo.NONE);
        resources.add(server);
        return server;
    }

    private RespTestClient client(RespServer server) throws IOException {
        RespTestClient client = new RespTestClient(server.address());
        resources.add(client);
        return client;
    }
}

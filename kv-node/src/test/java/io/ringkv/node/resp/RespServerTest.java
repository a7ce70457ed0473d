package io.ringkv.node.resp;

import static io.ringkv.node.resp.RespTestClient.NULL;
import static io.ringkv.node.resp.RespTestClient.NULL_BULK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.Value;
import io.ringkv.node.resp.RespTestClient.Bulk;
import io.ringkv.node.resp.RespTestClient.Err;
import io.ringkv.node.runtime.AgentInbox;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.ForwardingKeyValueService;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.MapKeyValueService;
import io.ringkv.node.service.Siblings;
import io.ringkv.node.service.HandOffCounter;
import io.ringkv.node.service.ReplicatedKeyValueService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The front door over real sockets on 127.0.0.1, against a map-backed {@link KeyValueService}. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RespServerTest {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ExecutorService agent;

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
        if (agent != null) {
            agent.shutdownNow();
        }
    }

    @Test
    void setGetDelAndExistsRoundTrip() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals("OK", client.call("SET", "colour", "blue"));
        assertEquals(new Bulk("blue"), client.call("GET", "colour"));
        assertEquals(2L, client.call("EXISTS", "colour", "nothing", "colour"), "a key named twice counts twice");
        assertEquals(1L, client.call("DEL", "colour", "nothing"));
        assertEquals(NULL_BULK, client.call("GET", "colour"));
        assertEquals(0L, client.call("EXISTS", "colour"));
    }

    @Test
    void msetAndMgetRoundTripWithNullsForMissingKeys() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals("OK", client.call("MSET", "a", "1", "b", "2"));
        assertEquals(List.of(new Bulk("1"), NULL_BULK, new Bulk("2")), client.call("MGET", "a", "missing", "b"));
        assertEquals(new Err("ERR wrong number of arguments for 'mset' command"), client.call("MSET", "a", "1", "b"));
    }

    @Test
    void aThousandCommandsInOneWriteAreAnsweredInOrder() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            batch.writeBytes(RespTestClient.command("SET", "k" + i, "v" + i));
            batch.writeBytes(RespTestClient.command("GET", "k" + i));
        }
        client.send(batch.toByteArray());
        for (int i = 0; i < 500; i++) {
            assertEquals("OK", client.read());
            assertEquals(new Bulk("v" + i), client.read());
        }
    }

    @Test
    void repliesKeepRequestOrderWhenTheServiceAnswersOnAnotherThreadOutOfOrder() throws Exception {
        agent = Executors.newFixedThreadPool(4);
        MapKeyValueService map = new MapKeyValueService(null);
        for (int i = 0; i < 200; i++) {
            map.putNow(Key.utf8("k" + i), Value.utf8("v" + i), CausalContext.NONE);
        }
        KeyValueService reversed = new ForwardingKeyValueService(map) {
            @Override
            public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
                int n = Integer.parseInt(new String(key.toByteArray()).substring(1));
                // earlier requests answer later
                Optional<Value> value = map.getNow(key);
                CompletableFuture.delayedExecutor(200 - n, TimeUnit.MILLISECONDS, agent).execute(() ->
                    answer.channel().deliver(List.of(() -> answer.succeeded(value))));
            }
        };
        RespTestClient client = client(start(reversed));
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 200; i++) {
            batch.writeBytes(RespTestClient.command("GET", "k" + i));
        }
        client.send(batch.toByteArray());
        for (int i = 0; i < 200; i++) {
            assertEquals(new Bulk("v" + i), client.read(), "reply " + i);
        }
    }

    @Test
    void aConnectionOverItsPendingReplyBoundIsReadAgainOnceRepliesDrain() throws Exception {
        agent = Executors.newSingleThreadExecutor();
        RespServer server = start(RespConfig.onPort(0).withMaxPendingReplies(8), new MapKeyValueService(agent));
        RespTestClient client = client(server);
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 2000; i++) {
            batch.writeBytes(RespTestClient.command("GET", "k" + i));
        }
        client.send(batch.toByteArray());
        for (int i = 0; i < 2000; i++) {
            assertEquals(NULL_BULK, client.read(), "reply " + i);
        }
        assertTrue(server.counters().value(RespCounter.READ_PAUSES) > 0, "the server paused reading at least once");
        assertEquals("PONG", client.call("PING"));
    }

    @Test
    void aClientThatDoesNotReadItsRepliesIsNotReadEitherUntilItCatchesUp() throws Exception {
        RespServer server = start(new MapKeyValueService(null));
        RespTestClient client = client(server);
        String value = "v".repeat(10 * 1024);
        assertEquals("OK", client.call("SET", "big", value));
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            batch.writeBytes(RespTestClient.command("GET", "big"));
        }
        client.send(batch.toByteArray());
        while (server.counters().value(RespCounter.READ_PAUSES) == 0) {
            Thread.sleep(5);
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(new Bulk(value), client.read(), "reply " + i);
        }
        assertEquals("PONG", client.call("PING"));
    }

    @Test
    void aPipelinedGetSeesTheSetBeforeItOnTheSameKey() throws Exception {
        agent = Executors.newFixedThreadPool(2);
        RespTestClient client = client(start(new MapKeyValueService(agent)));
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            batch.writeBytes(RespTestClient.command("SET", "counter", Integer.toString(i)));
            batch.writeBytes(RespTestClient.command("GET", "counter"));
        }
        client.send(batch.toByteArray());
        for (int i = 0; i < 100; i++) {
            assertEquals("OK", client.read());
            assertEquals(new Bulk(Integer.toString(i)), client.read(), "a pipelined GET sees the SET before it");
        }
    }

    /**
     * One burst of commands on one connection, against a service that runs each batch it is handed last call
     * first: commands on different keys are in flight together, yet every reply comes in request order with the
     * result the commands would have one after the other, as Redis gives them (a command on a key waits for the
     * earlier one on that key).
     */
    @Test
    void aPipelinedBurstIsAnsweredInOrderWithEachCommandsResultAsIfRunOneByOne() throws Exception {
        agent = Executors.newSingleThreadExecutor();
        MapKeyValueService map = MapKeyValueService.reversingBatches(agent);
        RespTestClient client = client(start(map));
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String key = "key" + i;
            burst.writeBytes(RespTestClient.command("SET", key, "first" + i));
            expected.add("OK");
            burst.writeBytes(RespTestClient.command("SET", key, "second" + i));
            expected.add("OK");
            burst.writeBytes(RespTestClient.command("GET", key));
            expected.add(new Bulk("second" + i));
            burst.writeBytes(RespTestClient.command("DEL", key));
            expected.add(1L);
            burst.writeBytes(RespTestClient.command("DEL", key));
            expected.add(0L);
            burst.writeBytes(RespTestClient.command("MSET", key, "third" + i, "other" + i, "x"));
            expected.add("OK");
            burst.writeBytes(RespTestClient.command("MGET", "other" + i, key));
            expected.add(List.of(new Bulk("x"), new Bulk("third" + i)));
        }
        client.send(burst.toByteArray());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), client.read(), "reply " + i);
        }
        assertTrue(map.largestBatch > 1, "commands on different keys were in flight together");
    }

    @Test
    void aRequestTheNodesFullInboxRefusesIsAnsweredUnavailableAtOnceAndCountedInInfo() throws Exception {
        AgentInbox inbox = new AgentInbox(2);
        while (inbox.offer(() -> { })) {
            // nothing drains it: the node is overloaded
        }
        // the node's registry: INFO shows every counter in it, the hand-off counters among them
        CounterRegistry registry = new CounterRegistry();
        ReplicatedKeyValueService service = new ReplicatedKeyValueService(inbox, null, node -> { },
            registry.register(HandOffCounter.class));
        RespServer server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), service, NodeInfo.NONE,
            Availability.ALWAYS, registry);
        resources.add(server);
        RespTestClient client = client(server);
        Err overloaded = new Err("UNAVAILABLE node is overloaded: its request queue is full; retry later");
        assertEquals(overloaded, client.call("SET", "k", "v"));
        assertEquals(overloaded, client.call("GET", "k"));
        assertEquals("PONG", client.call("PING"), "the connection keeps serving");
        String stats = ((Bulk) client.call("INFO", "stats")).text();
        assertTrue(stats.contains("agent_queue_full:2\r\n"), stats);
    }

    @Test
    void everyAnsweredRequestIsRecordedByCommandAndConsistencyWithItsErrors() throws Exception {
        io.ringkv.node.metrics.NodeMetrics metrics = new io.ringkv.node.metrics.NodeMetrics(new CounterRegistry());
        RespServer server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), new MapKeyValueService(null),
            NodeInfo.NONE, Availability.ALWAYS, new CounterRegistry(), metrics.requests());
        resources.add(server);
        RespTestClient client = client(server);
        client.call("SET", "k", "v");
        client.call("GET", "k");
        client.call("GET", "k");
        client.call("CONSISTENCY", "one");
        client.call("GET", "k");
        client.call("PING");
        client.call("NOSUCH", "x");
        client.call("GET");

        ByteArrayOutputStream scraped = new ByteArrayOutputStream();
        metrics.write(scraped);
        String text = scraped.toString(StandardCharsets.UTF_8);
        String count = "ringkv_request_duration_seconds_count";
        assertTrue(text.contains(count + "{command=\"set\",consistency=\"N=3,R=2,W=2\"} 1\n"), text);
        assertTrue(text.contains(count + "{command=\"get\",consistency=\"N=3,R=2,W=2\"} 2\n"), text);
        assertTrue(text.contains(count + "{command=\"get\",consistency=\"N=3,R=1,W=1\"} 2\n"), "the wrong-arity"
            + " GET counts at the connection's consistency too: " + text);
        assertTrue(text.contains(count + "{command=\"ping\",consistency=\"none\"} 1\n"), text);
        assertTrue(text.contains(count + "{command=\"unknown\",consistency=\"none\"} 1\n"), text);
        assertTrue(text.contains("ringkv_request_errors_total{command=\"unknown\",consistency=\"none\",error=\"ERR\"} 1.0"),
            text);
        assertTrue(text.contains("ringkv_request_errors_total{command=\"get\",consistency=\"N=3,R=1,W=1\",error=\"ERR\"} 1.0"),
            text);
    }

    @Test
    void aDeferredAnswerIsRecordedOnceWhenItComesAndEvenWhenItsClientHasLeft() throws Exception {
        MapKeyValueService map = new MapKeyValueService(null);
        map.putNow(Key.utf8("k"), Value.utf8("v"), CausalContext.NONE);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(2);
        KeyValueService late = new ForwardingKeyValueService(map) {
            @Override
            public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
                asked.countDown();
                Thread.ofVirtual().start(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    answer.channel().deliver(List.of(() -> {
                        answer.failed(new KvException(ErrorCode.TIMEOUT, "the replicas did not answer"));
                        answered.countDown();
                    }));
                });
            }
        };
        io.ringkv.node.metrics.NodeMetrics metrics = new io.ringkv.node.metrics.NodeMetrics(new CounterRegistry());
        CounterRegistry registry = new CounterRegistry();
        RespServer server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), late, NodeInfo.NONE,
            Availability.ALWAYS, registry, metrics.requests());
        resources.add(server);
        RespTestClient stays = client(server);
        RespTestClient leaves = client(server);
        stays.send(RespTestClient.command("GET", "k"));
        leaves.send(RespTestClient.command("GET", "k"));
        assertTrue(asked.await(10, TimeUnit.SECONDS), "both GETs reached the service");
        // reset, not closed: a client that only ends its input is still answered what it sent
        leaves.reset();
        for (int i = 0; i < 500 && registry.value(RespCounter.CONNECTED_CLIENTS.counterName()) != 1; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, registry.value(RespCounter.CONNECTED_CLIENTS.counterName()), "the server saw one client leave");
        release.countDown();
        assertEquals(new Err("TIMEOUT the replicas did not answer"), stays.read());
        assertTrue(answered.await(10, TimeUnit.SECONDS));

        String text = "";
        for (int i = 0; i < 100 && !text.contains("error=\"TIMEOUT\"} 2.0"); i++) {
            ByteArrayOutputStream scraped = new ByteArrayOutputStream();
            metrics.write(scraped);
            text = scraped.toString(StandardCharsets.UTF_8);
            Thread.sleep(20);
        }
        assertTrue(text.contains("ringkv_request_duration_seconds_count{command=\"get\",consistency=\"N=3,R=2,W=2\"} 2\n"),
            "both answers recorded once each, the departed client's too: " + text);
        assertTrue(text.contains("ringkv_request_errors_total{command=\"get\",consistency=\"N=3,R=2,W=2\",error=\"TIMEOUT\"} 2.0"),
            text);
    }

    @Test
    void hello3SwitchesTheConnectionToResp3Encodings() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals(NULL_BULK, client.call("GET", "missing"));
        Object hello = client.call("HELLO", "3", "SETNAME", "tester");
        assertInstanceOf(Map.class, hello);
        Map<?, ?> fields = (Map<?, ?>) hello;
        assertEquals(new Bulk("ringkv"), fields.get(new Bulk("server")));
        assertEquals(3L, fields.get(new Bulk("proto")));
        assertEquals(new Bulk("cluster"), fields.get(new Bulk("mode")));
        assertEquals(new Bulk("master"), fields.get(new Bulk("role")));
        assertEquals(List.of(), fields.get(new Bulk("modules")));
        assertEquals(NULL, client.call("GET", "missing"));
        assertInstanceOf(List.class, client.call("HELLO", "2"), "back to RESP2: the map is a flat array");
        assertEquals(NULL_BULK, client.call("GET", "missing"));
    }

    @Test
    void helloRefusesUnknownProtocolsAndAuthentication() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals(new Err("NOPROTO unsupported protocol version"), client.call("HELLO", "4"));
        assertEquals(new Err("ERR Protocol version is not an integer or out of range"), client.call("HELLO", "x"));
        assertTrue(((Err) client.call("HELLO", "3", "AUTH", "default", "secret")).message()
            .contains("without any password configured"));
        assertEquals(new Err("ERR Syntax error in HELLO option 'bogus'"), client.call("HELLO", "3", "bogus"));
        assertEquals(NULL_BULK, client.call("GET", "missing"), "a refused HELLO leaves the protocol as it was");
    }

    @Test
    void consistencyIsValidatedAndAppliesToTheConnectionsRequests() throws Exception {
        MapKeyValueService map = new MapKeyValueService(null);
        RespServer server = start(map);
        RespTestClient client = client(server);
        assertEquals("N=3,R=2,W=2", client.call("CONSISTENCY"));
        assertEquals("OK", client.call("CONSISTENCY", "one"));
        client.call("GET", "k");
        assertEquals(new Consistency(3, 1, 1), map.lastConsistency);
        assertEquals("OK", client.call("CONSISTENCY", "R=3,W=1"));
        assertEquals("N=3,R=3,W=1", client.call("CONSISTENCY"));
        assertEquals(new Err("ERR R must be between 1 and N=3, was 4"), client.call("CONSISTENCY", "R=4,W=1"));
        assertEquals(new Err("ERR CONSISTENCY takes ONE, QUORUM, ALL or R=<n>,W=<n> with 1 <= n <= N=3, was 'MOST'"),
            client.call("CONSISTENCY", "MOST"));
        assertEquals(new Err("ERR CONSISTENCY takes ONE, QUORUM, ALL or R=<n>,W=<n> with 1 <= n <= N=3, was 'R=x'"),
            client.call("CONSISTENCY", "R=x"));
        assertEquals("N=3,R=3,W=1", client.call("CONSISTENCY"), "a refused setting changes nothing");
        RespTestClient other = client(server);
        assertEquals("N=3,R=2,W=2", other.call("CONSISTENCY"), "the setting is per connection");
    }

    @Test
    void oversizedKeysAndValuesAreAnsweredWithTheLimitAndTheConnectionKeepsServing() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals(new Err("ERR value is 10241 bytes; the limit is 10240 bytes"),
            client.call("SET", "k", "v".repeat(10 * 1024 + 1)));
        assertEquals(new Err("ERR key is 1025 bytes; the limit is 1024 bytes"), client.call("GET", "k".repeat(1025)));
        assertEquals(NULL_BULK, client.call("GET", "k"), "nothing was written");
        assertEquals("PONG", client.call("PING"));
    }

    @Test
    void setOptionsThatCannotBeHonouredAreRefusedByNameAndNothingIsWritten() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals(new Err("ERR SET option GET is not supported by ringkv yet (no returning the old value); nothing"
            + " was written"), client.call("SET", "k", "v", "ex", "10", "GET"));
        assertEquals(new Err("ERR SET option NX is not supported by ringkv yet (no conditional writes); nothing was"
            + " written"), client.call("SET", "k", "v", "NX"));
        assertEquals(new Err("ERR syntax error"), client.call("SET", "k", "v", "SOON"));
        assertEquals(NULL_BULK, client.call("GET", "k"));
    }

    @Test
    void garbageBytesGetAProtocolErrorAndCloseOnlyThatConnection() throws Exception {
        RespServer server = start(new MapKeyValueService(null));
        RespTestClient bystander = client(server);
        assertEquals("OK", bystander.call("SET", "k", "v"));
        RespTestClient garbage = client(server);
        garbage.send("*1\r\n\u0001\u00ff\u0000garbage\r\n");
        assertEquals(new Err("ERR Protocol error: expected '$', got '\\x01'"), garbage.read());
        assertTrue(garbage.closedByServer());
        assertEquals(new Bulk("v"), bystander.call("GET", "k"));
        assertEquals(1L, server.counters().value(RespCounter.PROTOCOL_ERRORS));
    }

    @Test
    void aHugeDeclaredBulkLengthIsRefusedAtOnce() throws Exception {
        RespServer server = start(new MapKeyValueService(null));
        RespTestClient client = client(server);
        client.send("*2\r\n$3\r\nSET\r\n$2147483647\r\n");
        Err error = (Err) client.read();
        assertTrue(error.message().startsWith("ERR Protocol error: invalid bulk length 2147483647"), error.message());
        assertTrue(client.closedByServer());
        assertEquals("PONG", client(server).call("PING"));
    }

    @Test
    void aHalfSentRequestWaitsAndCompletesWithTheRest() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        byte[] request = RespTestClient.command("ECHO", "hello, world");
        client.send(Arrays.copyOfRange(request, 0, 17));
        assertTrue(client.silentFor(200), "no reply to half a request");
        client.send(Arrays.copyOfRange(request, 17, request.length));
        assertEquals(new Bulk("hello, world"), client.read());
    }

    @Test
    void aClientDisconnectingMidRequestDoesNotDisturbTheServer() throws Exception {
        RespServer server = start(new MapKeyValueService(null));
        RespTestClient leaver = client(server);
        leaver.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nonly part of it");
        leaver.close();
        RespTestClient stayer = client(server);
        assertEquals(NULL_BULK, stayer.call("GET", "k"));
        while (server.counters().value(RespCounter.CONNECTED_CLIENTS) != 1) {
            Thread.sleep(5);
        }
    }

    @Test
    void inlineCommandsAreServed() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        client.send("PING\r\nSET greeting hi\r\nGET greeting\n");
        assertEquals("PONG", client.read());
        assertEquals("OK", client.read());
        assertEquals(new Bulk("hi"), client.read());
    }

    @Test
    void unknownCommandsAndWrongAritiesGetRedisShapedErrors() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals(new Err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "),
            client.call("foo", "a", "b"));
        assertEquals(new Err("ERR unknown command 'foo', with args beginning with: "), client.call("foo"));
        assertEquals(new Err("ERR wrong number of arguments for 'get' command"), client.call("GET"));
        assertEquals(new Err("ERR wrong number of arguments for 'get' command"), client.call("get", "a", "b"));
    }

    @Test
    void connectionCommandsAnswerAsRedisDoes() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals("PONG", client.call("PING"));
        assertEquals(new Bulk("hi"), client.call("PING", "hi"));
        assertEquals(new Bulk("echoed"), client.call("ECHO", "echoed"));
        assertEquals("OK", client.call("SELECT", "0"));
        assertEquals(new Err("ERR DB index is out of range"), client.call("SELECT", "1"));
        assertEquals(new Err("ERR AUTH <password> called without any password configured for the default user. Are"
            + " you sure your configuration is correct?"), client.call("AUTH", "secret"));
        assertEquals("OK", client.call("QUIT"));
        assertTrue(client.closedByServer());
    }

    @Test
    void pingAnswersUnavailableWithTheReasonWhileTheNodeCannotServe() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> reason = new java.util.concurrent.atomic.AtomicReference<>();
        RespServer server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), new MapKeyValueService(null),
            NodeInfo.NONE, () -> Optional.ofNullable(reason.get()));
        resources.add(server);
        RespTestClient client = client(server);
        assertEquals("PONG", client.call("PING"));
        reason.set("transport failed: the Aeron client stopped");
        assertEquals(new Err("UNAVAILABLE transport failed: the Aeron client stopped"), client.call("PING"));
        assertEquals(new Err("UNAVAILABLE transport failed: the Aeron client stopped"), client.call("PING", "hi"),
            "a PING with a message is a liveness check too");
        assertEquals(new Bulk("still answers"), client.call("ECHO", "still answers"), "the connection stays usable");
    }

    @Test
    void removenodeNeedsAValidIdAndANodeThatManagesMembership() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        Object refused = client.call("REMOVENODE", "node3");
        assertTrue(refused instanceof Err err && err.message().contains("does not manage cluster membership"),
            String.valueOf(refused));
        Object malformed = client.call("REMOVENODE", "no such id!");
        assertTrue(malformed instanceof Err err && err.message().contains("node id must be"), String.valueOf(malformed));
        assertTrue(client.call("REMOVENODE") instanceof Err, "the id is required");
    }

    @Test
    void repairAndDecommissionNeedANodeThatRunsThem() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        Object refused = client.call("REPAIR");
        assertTrue(refused instanceof Err err && err.message().contains("does not run repair"), String.valueOf(refused));
        Object leave = client.call("DECOMMISSION");
        assertTrue(leave instanceof Err err && err.message().contains("does not run decommission"),
            String.valueOf(leave));
        assertTrue(client.call("DECOMMISSION", "extra") instanceof Err, "DECOMMISSION takes no argument");
    }

    @Test
    void commandCountsAndDocumentsEveryCommand() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        long count = (Long) client.call("COMMAND", "COUNT");
        assertEquals(36L, count, "SCAN, DBSIZE, KEYS and the twelve expiry commands included");
        assertEquals(count, ((List<?>) client.call("COMMAND")).size());
        client.call("HELLO", "3");
        Map<?, ?> docs = (Map<?, ?>) client.call("COMMAND", "DOCS", "get", "nosuch");
        assertEquals(1, docs.size());
        Map<?, ?> get = (Map<?, ?>) docs.get(new Bulk("get"));
        assertEquals(new Bulk("Returns the value of a key."), get.get(new Bulk("summary")));
        assertEquals(new Err("ERR unknown subcommand 'nope'. Try COMMAND HELP."), client.call("COMMAND", "nope"));
    }

    @Test
    void aHalfSentRequestClosesItsConnectionAfterTheRequestTimeoutAndIsCounted() throws Exception {
        RespServer server = start(RespConfig.onPort(0).withTimeouts(0, 300), new MapKeyValueService(null));
        RespTestClient quiet = client(server);
        assertEquals("PONG", quiet.call("PING"));
        RespTestClient halfSent = client(server);
        halfSent.send("*1000000\r\n$3\r\nGET\r\n");
        assertTrue(halfSent.closedByServer(), "the half-sent request was given up");
        assertEquals(1, server.counters().value(RespCounter.CLOSED_INCOMPLETE_REQUEST));
        assertEquals(0, server.counters().value(RespCounter.CLOSED_IDLE));
        assertEquals("PONG", quiet.call("PING"), "a connection between requests is not closed by the request timeout");
        String stats = ((Bulk) quiet.call("INFO", "stats")).text();
        assertTrue(stats.contains("clients_closed_incomplete_request:1\r\n"), stats);
    }

    /**
     * A client that leaves its replies unread while holding half a request is not shielded by the pause it caused:
     * its request clock keeps running and the connection is closed, or it would pin its buffers forever.
     */
    @Test
    void aHalfSentRequestBehindUnreadRepliesIsStillTimedOut() throws Exception {
        agent = Executors.newFixedThreadPool(2);
        MapKeyValueService map = new MapKeyValueService(agent);
        RespServer server = start(RespConfig.onPort(0).withBackPressure(4096, 64 * 1024).withTimeouts(0, 300), map);
        RespTestClient client = client(server);
        String value = "x".repeat(8 * 1024);
        // 16 MiB of replies, more than the sockets' buffers hold, then the start of a request, all in fewer bytes
        // than one read takes: the server reaches the half request before the client's unread replies stop it
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String key : List.of("a", "b")) {
            map.putNow(Key.utf8(key), Value.utf8(value), CausalContext.NONE);
            String[] mget = new String[KeyValueCommands.MAX_KEYS_PER_COMMAND + 1];
            Arrays.fill(mget, key);
            mget[0] = "MGET";
            bytes.writeBytes(RespTestClient.command(mget));
        }
        bytes.writeBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nonly part".getBytes(StandardCharsets.US_ASCII));
        client.send(bytes.toByteArray());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (server.counters().value(RespCounter.CLOSED_INCOMPLETE_REQUEST) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, server.counters().value(RespCounter.CLOSED_INCOMPLETE_REQUEST),
            "the connection that never reads and holds half a request is closed");
    }

    @Test
    void aConnectionThatMovesNoByteForTheIdleTimeoutIsClosedAndCounted() throws Exception {
        RespServer server = start(RespConfig.onPort(0).withTimeouts(300, 0), new MapKeyValueService(null));
        RespTestClient client = client(server);
        assertEquals("PONG", client.call("PING"));
        assertTrue(client.closedByServer(), "the idle connection was closed");
        assertEquals(1, server.counters().value(RespCounter.CLOSED_IDLE));
        assertEquals(0, server.counters().value(RespCounter.CLOSED_INCOMPLETE_REQUEST));
    }

    /**
     * A client pipelines 100,000 GETs of 1 KiB values without reading; answers come from another thread in
     * bursts. The reply bytes the server holds for it stay within the configured bound (plus one reply), and once
     * it reads, every reply arrives, correct and in order.
     */
    @Test
    void aClientThatPipelinesWithoutReadingHoldsAtMostTheUnsentBoundThenGetsEveryReplyInOrder() throws Exception {
        agent = Executors.newFixedThreadPool(2);
        MapKeyValueService map = new MapKeyValueService(agent);
        int bound = 64 * 1024;
        RespServer server = start(RespConfig.onPort(0).withBackPressure(1024, bound), map);
        RespTestClient client = client(server);
        int requests = 100_000;
        for (int i = 0; i < 100; i++) {
            assertEquals("OK", client.call("SET", "k" + i, kibValue(i)));
        }
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<?> sent = writer.submit(() -> {
                for (int batch = 0; batch < requests / 1000; batch++) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    for (int i = 0; i < 1000; i++) {
                        bytes.writeBytes(RespTestClient.command("GET", "k" + (batch * 1000 + i) % 100));
                    }
                    client.send(bytes.toByteArray());
                }
                return null;
            });
            while (server.counters().value(RespCounter.READ_PAUSES) == 0) {
                Thread.sleep(5);
            }
            for (int i = 0; i < requests; i++) {
                assertEquals(new Bulk(kibValue(i % 100)), client.read(), "reply " + i);
            }
            sent.get();
        } finally {
            writer.shutdownNow();
        }
        long peak = server.counters().value(RespCounter.UNSENT_REPLY_BYTES_PEAK);
        assertTrue(peak > 0 && peak <= bound + 1024 + 16, "one connection held " + peak + " unsent bytes");
        assertEquals("PONG", client.call("PING"));
        String clients = ((Bulk) client.call("INFO", "clients")).text();
        assertTrue(clients.contains("client_unsent_reply_bytes_peak:" + peak + "\r\n"), clients);
    }

    private static String kibValue(int i) {
        return ("v" + i + "-").repeat(1024).substring(0, 1024);
    }

    @Test
    void infoReportsTheFrontDoorsAndTheNodesFields() throws Exception {
        NodeInfo node = section -> section.equals("keyspace") ? Map.of("db0", "keys=7") : Map.of();
        RespServer server = start(RespConfig.onPort(0), new MapKeyValueService(null), node);
        RespTestClient client = client(server);
        String all = ((Bulk) client.call("INFO")).text();
        for (String expected : List.of("# Server\r\n", "redis_mode:cluster\r\n", "tcp_port:" + server.port() + "\r\n",
            "# Clients\r\nconnected_clients:1\r\n", "# Stats\r\n", "# Replication\r\nrole:master\r\n",
            "# Keyspace\r\ndb0:keys=7\r\n")) {
            assertTrue(all.contains(expected), expected + " in\n" + all);
        }
        String stats = ((Bulk) client.call("INFO", "stats")).text();
        assertTrue(stats.startsWith("# Stats\r\n") && !stats.contains("# Server"), stats);
    }

    @Test
    void infoShowsEveryCounterOfTheRegistryInItsSectionWithNoMappingOfItsOwn() throws Exception {
        CounterRegistry registry = new CounterRegistry(32);
        Counter hints = registry.register("hints_written", "hints stored for a down replica", CounterKind.COUNTER,
            "cluster");
        registry.register("storage_disk_full", "1 while writes are refused", CounterKind.GAUGE, "storage");
        hints.addRelease(42);
        RespServer server = RespServer.start(RespServer.listen(RespConfig.onPort(0)), new MapKeyValueService(null),
            section -> section.equals("storage") ? Map.of("storage_engine", "memory") : Map.of(),
            Availability.ALWAYS, registry);
        resources.add(server);
        RespTestClient client = client(server);
        assertEquals("PONG", client.call("PING"));

        String cluster = ((Bulk) client.call("INFO", "cluster")).text();
        assertEquals("# Cluster\r\nhints_written:42\r\n", cluster);
        String storage = ((Bulk) client.call("INFO", "storage")).text();
        assertEquals("# Storage\r\nstorage_disk_full:0\r\nstorage_engine:memory\r\n", storage);
        String stats = ((Bulk) client.call("INFO", "stats")).text();
        // the INFO being answered counts itself
        assertTrue(stats.contains("total_commands_processed:4\r\n"), "the front door counts into the same registry: "
            + stats);
        assertEquals(4, registry.value("total_commands_processed"));
        assertEquals(4, server.counters().value(RespCounter.COMMANDS_PROCESSED));
    }

    @Test
    void aMultiKeyCommandNamingTooManyKeysIsRefusedWholeAndTheConnectionKeepsWorking() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        String[] mget = new String[KeyValueCommands.MAX_KEYS_PER_COMMAND + 2];
        mget[0] = "MGET";
        for (int i = 1; i < mget.length; i++) {
            mget[i] = "k" + i;
        }
        Object reply = client.call(mget);
        assertTrue(reply instanceof RespTestClient.Err err && err.message().contains("too many keys"), reply.toString());
        assertEquals("PONG", client.call("PING"));
    }

    @Test
    void getvReturnsSiblingsAndAContextThatSetvSupersedes() throws Exception {
        RespTestClient client = client(start(new MapKeyValueService(null)));
        assertEquals(List.of(new Bulk(""), List.of()), client.call("GETV", "k"));
        assertEquals("OK", client.call("SET", "k", "first"));
        List<?> read = (List<?>) client.call("GETV", "k");
        String context = ((Bulk) read.get(0)).text();
        assertEquals("OK", client.call("SET", "k", "concurrent"));
        assertEquals("OK", client.call("SETV", "k", context, "second"));
        List<?> siblings = (List<?>) ((List<?>) client.call("GETV", "k")).get(1);
        assertEquals(List.of(new Bulk("concurrent"), new Bulk("second")), siblings,
            "a write from a stale context keeps the concurrent value as a sibling");
        assertEquals(new RespTestClient.Err("ERR invalid causal context: pass back the first element GETV returned"),
            client.call("SETV", "k", "not base64!", "third"));
        assertEquals(2, ((List<?>) ((List<?>) client.call("GETV", "k")).get(1)).size(), "a refused SETV writes nothing");
    }

    @Test
    void serviceFailuresAreAnsweredWithTheirCode() throws Exception {
        KeyValueService failing = new ForwardingKeyValueService(new MapKeyValueService(null)) {
            @Override
            public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
                answer.failed(new KvException(ErrorCode.UNAVAILABLE, "2 of 3 replicas are down"));
            }

            @Override
            public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
                throw new IllegalStateException("bug");
            }
        };
        RespServer server = start(failing);
        RespTestClient client = client(server);
        assertEquals(new Err("UNAVAILABLE 2 of 3 replicas are down"), client.call("GET", "k"));
        assertEquals(new Err("ERR internal error: java.lang.IllegalStateException: bug"), client.call("DEL", "k"));
        assertEquals(1L, server.counters().value(RespCounter.SERVICE_FAILURES));
        assertEquals("PONG", client.call("PING"));
    }

    @Test
    void connectionsBeyondMaxClientsAreRefusedWithAnError() throws Exception {
        RespServer server = start(RespConfig.onPort(0).withMaxClients(1), new MapKeyValueService(null), NodeInfo.NONE);
        RespTestClient first = client(server);
        assertEquals("PONG", first.call("PING"));
        RespTestClient second = client(server);
        assertEquals(new Err("ERR max number of clients reached"), second.read());
        assertEquals("PONG", first.call("PING"));
    }

    @Test
    void aFailedAcceptPausesTheListenerInsteadOfRetryingAtOnceAndTheWaitingClientIsServedAfterThePause()
            throws Exception {
        RespServer server = start(new MapKeyValueService(null));
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        server.loop().acceptWith(() -> {
            attempts.incrementAndGet();
            throw new IOException("Too many open files");
        });
        // connected by the kernel, queued until the loop accepts it
        RespTestClient waiting = client(server);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.counters().value(RespCounter.ACCEPT_PAUSES) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(server.counters().value(RespCounter.ACCEPT_PAUSES) > 0, "the failed accept paused the listener");
        int before = attempts.get();
        long started = System.nanoTime();
        Thread.sleep(500);
        // one attempt per 100 ms pause at most, however long the sleep really took (a loop retrying at once makes
        // thousands in this time)
        int during = attempts.get() - before;
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(during <= elapsedMillis / 100 + 2, during + " accept attempts in " + elapsedMillis + " ms");
        ServerSocketChannel listener = server.loop().listener();
        server.loop().acceptWith(listener::accept);
        assertEquals("PONG", waiting.call("PING"));
        assertEquals(1L, server.counters().value(RespCounter.CONNECTED_CLIENTS));
    }

    @Test
    void anAcceptThatFailsWithAnUncheckedExceptionPausesTheListenerAndTheLoopGoesOn() throws Exception {
        RespServer server = start(new MapKeyValueService(null));
        ServerSocketChannel listener = server.loop().listener();
        java.util.concurrent.atomic.AtomicBoolean thrown = new java.util.concurrent.atomic.AtomicBoolean();
        server.loop().acceptWith(() -> {
            if (thrown.compareAndSet(false, true)) {
                throw new IllegalStateException("accept failed");
            }
            return listener.accept();
        });
        RespTestClient waiting = client(server);
        assertEquals("PONG", waiting.call("PING"));
        assertTrue(thrown.get(), "the first accept threw");
        assertEquals(1L, server.counters().value(RespCounter.ACCEPT_PAUSES));
        assertEquals("PONG", client(server).call("PING"));
    }

    @Test
    void aConnectionWhoseSetUpFailsIsClosedAndTheNextIsServed() throws Exception {
        RespServer server = start(RespConfig.onPort(0).withMaxClients(1), new MapKeyValueService(null), NodeInfo.NONE);
        RespTestClient first = client(server);
        assertEquals("PONG", first.call("PING"));
        ServerSocketChannel listener = server.loop().listener();
        // hold new connections in the backlog while one is reset there
        server.loop().acceptWith(() -> null);
        try (java.net.Socket reset = new java.net.Socket()) {
            reset.connect(server.address());
            reset.setSoLinger(true, 0);
        }
        List<SocketChannel> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.loop().acceptWith(() -> {
            SocketChannel channel = listener.accept();
            if (channel != null) {
                accepted.add(channel);
            }
            return channel;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.counters().value(RespCounter.SETUP_FAILURES) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        // refusing it (max clients) wrote to a reset connection, which failed: its socket must not stay open
        assertEquals(1L, server.counters().value(RespCounter.SETUP_FAILURES));
        assertEquals(1, accepted.size());
        assertTrue(!accepted.getFirst().isOpen(), "the failed connection's socket was closed");
        assertEquals("PONG", first.call("PING"));
        first.close();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.counters().value(RespCounter.CONNECTED_CLIENTS) != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("PONG", client(server).call("PING"));
    }

    @Test
    void valueLimitsComeFromTheConfiguration() throws Exception {
        RespServer server = start(RespConfig.onPort(0).withLimits(new Limits(8, 16)), new MapKeyValueService(null),
            NodeInfo.NONE);
        RespTestClient client = client(server);
        assertEquals(new Err("ERR value is 17 bytes; the limit is 16 bytes"), client.call("SET", "k", "x".repeat(17)));
        assertEquals(new Err("ERR key is 9 bytes; the limit is 8 bytes"), client.call("MGET", "a", "k".repeat(9)));
    }

    private RespServer start(KeyValueService service) {
        return start(RespConfig.onPort(0), service, NodeInfo.NONE);
    }

    private RespServer start(RespConfig config, KeyValueService service) {
        return start(config, service, NodeInfo.NONE);
    }

    private RespServer start(RespConfig config, KeyValueService service, NodeInfo node) {
        RespServer.AgentHost host = host();
        RespServer server = host == null ? RespServer.start(config, service, node) : startOn(host, config, service, node);
        resources.add(server);
        assertEquals(host != null, server.onAgentThread(), "where the front door runs");
        return server;
    }

    /** @return a server on {@code host}'s agent thread, with counters and request metrics of its own and no users */
    static RespServer startOn(RespServer.AgentHost host, RespConfig config, KeyValueService service, NodeInfo node) {
        return RespServer.start(RespServer.listen(config), service, node, Availability.ALWAYS,
            new CounterRegistry(RespCounter.values().length),
            new io.ringkv.node.metrics.RequestMetrics(new io.prometheus.metrics.model.registry.PrometheusRegistry()),
            io.ringkv.node.auth.Authenticator.open(), host);
    }

    /** @return the agent thread the servers of these tests run on, or null for a thread of their own */
    RespServer.AgentHost host() {
        return null;
    }

    /** Closed after the test's servers and clients. */
    void closeLast(AutoCloseable resource) {
        resources.addFirst(resource);
    }

    private RespTestClient client(RespServer server) throws IOException {
        RespTestClient client = new RespTestClient(server.address());
        resources.add(client);
        return client;
    }
}

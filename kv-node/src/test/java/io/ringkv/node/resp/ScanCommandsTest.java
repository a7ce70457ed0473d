package io.ringkv.node.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Value;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.Siblings;
import io.ringkv.node.resp.RespTestClient.Bulk;
import io.ringkv.node.resp.RespTestClient.Err;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SCAN, DBSIZE and KEYS at the Redis protocol, over a service that pages a sorted set of keys. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScanCommandsTest {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final PagingService service = new PagingService();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void scanFromZeroToZeroReturnsEveryKeyInPagesOfCount() throws Exception {
        for (int i = 0; i < 25; i++) {
            service.keys.add("k" + i);
        }
        RespTestClient client = client();
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<?> reply = (List<?>) client.call("SCAN", cursor, "COUNT", "7");
            cursor = ((Bulk) reply.get(0)).text();
            List<?> keys = (List<?>) reply.get(1);
            assertTrue(keys.size() <= 7, "a page holds at most COUNT keys: " + keys);
            keys.forEach(key -> seen.add(((Bulk) key).text()));
            calls++;
        } while (!cursor.equals("0"));
        assertEquals(service.keys, seen);
        assertEquals(4, calls);
    }

    @Test
    void countDefaultsToTen() throws Exception {
        RespTestClient client = client();
        client.call("SCAN", "0");
        assertEquals(10, service.lastCount);
    }

    @Test
    void matchFiltersThePageAndMayLeaveItEmptyBeforeTheEnd() throws Exception {
        service.keys.addAll(List.of("a", "b", "user:1", "user:2", "user:x"));
        RespTestClient client = client();
        assertEquals(List.of(new Bulk("2"), List.of()), client.call("SCAN", "0", "MATCH", "user:*", "COUNT", "2"));
        assertEquals(List.of(new Bulk("0"), List.of(new Bulk("user:1"), new Bulk("user:2"))),
            client.call("SCAN", "0", "MATCH", "user:[0-9]", "COUNT", "1000"));
        assertEquals(List.of(new Bulk("0"), List.of()), client.call("SCAN", "0", "TYPE", "hash"));
        assertEquals(List.of(new Bulk("0"), List.of(new Bulk("a"))),
            client.call("SCAN", "0", "type", "string", "match", "a"));
    }

    @Test
    void badArgumentsAreAnsweredWithAnErrorAndScanNothing() throws Exception {
        RespTestClient client = client();
        assertEquals(new Err("ERR value is not an integer or out of range"), client.call("SCAN", "0", "COUNT", "x"));
        assertEquals(new Err("ERR syntax error"), client.call("SCAN", "0", "COUNT", "0"));
        assertEquals(new Err("ERR COUNT is 1001; ringkv answers at most 1000 keys per SCAN call (follow the cursor"
            + " for more)"), client.call("SCAN", "0", "COUNT", "1001"));
        assertEquals(new Err("ERR syntax error"), client.call("SCAN", "0", "MATCH"));
        assertEquals(new Err("ERR MATCH pattern of 257 bytes is longer than 256; nothing was scanned"),
            client.call("SCAN", "0", "MATCH", "*".repeat(257)));
        assertEquals(new Err("ERR syntax error"), client.call("SCAN", "0", "LIMIT", "3"));
        assertEquals(0, service.calls, "no bad SCAN reached the service");
        assertEquals(new Err("ERR invalid cursor"), client.call("SCAN", "not-a-cursor"));
    }

    @Test
    void keysIsRefusedWithAPointerToScan() throws Exception {
        RespTestClient client = client();
        Object reply = client.call("KEYS", "*");
        assertTrue(reply instanceof Err err && err.message().startsWith("ERR KEYS is not supported by ringkv")
            && err.message().contains("SCAN 0 MATCH"), reply.toString());
    }

    @Test
    void dbsizeAnswersTheServicesEstimate() throws Exception {
        assertEquals(42L, client().call("DBSIZE"));
    }

    private RespTestClient client() throws IOException {
        RespServer server = RespServer.start(RespConfig.onPort(0), service, NodeInfo.NONE);
        resources.add(server);
        RespTestClient client = new RespTestClient(server.address());
        resources.add(client);
        return client;
    }

    /** Keys in sorted order; a cursor is the index of the next key. Answers on the calling thread. */
    private static final class PagingService implements KeyValueService {
        final TreeSet<String> keys = new TreeSet<>();
        volatile int lastCount;
        volatile int calls;

        @Override
        public void scan(String cursor, int count, Answer<ScanResult> answer) {
            calls++;
            lastCount = count;
            int from;
            try {
                from = Integer.parseInt(cursor);
            } catch (NumberFormatException e) {
                answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "invalid cursor"));
                return;
            }
            List<String> all = new ArrayList<>(keys);
            int to = Math.min(all.size(), from + count);
            answer.succeeded(new ScanResult(to == all.size() ? "0" : Integer.toString(to),
                all.subList(from, to).stream().map(Key::utf8).toList()));
        }

        @Override
        public void estimateKeys(Answer<Long> answer) {
            answer.succeeded(42L);
        }

        @Override
        public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
            answer.succeeded(Optional.empty());
        }

        @Override
        public void getVersions(Key key, Consistency consistency, Answer<Siblings> answer) {
            answer.succeeded(Siblings.NONE);
        }

        @Override
        public void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer) {
            answer.succeeded(null);
        }

        @Override
        public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
            answer.succeeded(false);
        }
    }
}

package io.ringkv.node.resp;

import static io.ringkv.node.resp.RespTestClient.NULL_BULK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.node.resp.RespTestClient.Bulk;
import io.ringkv.node.resp.RespTestClient.Err;
import io.ringkv.node.service.MapKeyValueService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The expiry commands over a real socket, against the map service whose clock a test moves. */
class ExpiryCommandsTest {
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final MapKeyValueService map = new MapKeyValueService(null);
    /** How far the map's clock runs ahead of the wall clock the front door counts TTL against. */
    private final AtomicLong ahead = new AtomicLong();
    private RespTestClient client;

    @BeforeEach
    void start() throws IOException {
        map.clock = () -> System.currentTimeMillis() + ahead.get();
        RespServer server = RespServer.start(RespConfig.onPort(0), map, NodeInfo.NONE);
        resources.add(server);
        client = new RespTestClient(server.address());
        resources.add(client);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void setWithAnExpiryReadsUntilItPassesAndTtlCountsDown() throws IOException {
        assertEquals("OK", client.call("SET", "k", "v", "EX", "100"));
        long ttl = (Long) client.call("TTL", "k");
        assertTrue(ttl >= 99 && ttl <= 100, "TTL " + ttl);
        long pttl = (Long) client.call("PTTL", "k");
        assertTrue(pttl > 98_000 && pttl <= 100_000, "PTTL " + pttl);
        long at = (Long) client.call("PEXPIRETIME", "k");
        assertTrue(Math.abs(at - (System.currentTimeMillis() + 100_000)) < 2_000, "PEXPIRETIME " + at);
        assertEquals((at + 500) / 1000, client.call("EXPIRETIME", "k"));
        assertEquals(new Bulk("v"), client.call("GET", "k"));
        ahead.set(100_001);
        assertEquals(NULL_BULK, client.call("GET", "k"), "past its expiry the key is absent");
        assertEquals(-2L, client.call("TTL", "k"));
        assertEquals(0L, client.call("EXISTS", "k"));
        assertEquals(0L, client.call("DEL", "k"), "an expired key was not there to delete");
    }

    @Test
    void everySetFormOfExpiryIsTakenAndAPlainSetClearsIt() throws IOException {
        long now = System.currentTimeMillis();
        client.call("SET", "a", "1", "PX", "50000");
        client.call("SET", "b", "1", "EXAT", String.valueOf(now / 1000 + 50));
        client.call("SET", "c", "1", "PXAT", String.valueOf(now + 50_000));
        client.call("SETEX", "d", "50", "1");
        client.call("PSETEX", "e", "50000", "1");
        for (String key : List.of("a", "b", "c", "d", "e")) {
            long ttl = (Long) client.call("TTL", key);
            assertTrue(ttl >= 48 && ttl <= 51, key + " TTL " + ttl);
        }
        assertEquals("OK", client.call("SET", "a", "2", "KEEPTTL"));
        assertTrue((Long) client.call("TTL", "a") > 40, "KEEPTTL keeps it");
        assertEquals("OK", client.call("SET", "a", "3"));
        assertEquals(-1L, client.call("TTL", "a"), "a plain SET clears it, as in Redis");
        assertEquals(-2L, client.call("PTTL", "nothing"));
    }

    @Test
    void badExpiriesAreRefusedAsRedisRefusesThemAndNothingIsWritten() throws IOException {
        assertEquals(new Err("ERR invalid expire time in 'set' command"), client.call("SET", "k", "v", "EX", "0"));
        assertEquals(new Err("ERR invalid expire time in 'set' command"),
            client.call("SET", "k", "v", "EX", "9223372036854775807"));
        assertEquals(new Err("ERR value is not an integer or out of range"),
            client.call("SET", "k", "v", "PX", "soon"));
        // a time to live that passes the largest instant once added to now overflows in Redis: refused the same way
        assertEquals(new Err("ERR invalid expire time in 'set' command"),
            client.call("SET", "k", "v", "PX", "9223372036854775807"));
        assertEquals(new Err("ERR invalid expire time in 'set' command"),
            client.call("SET", "k", "v", "EX", "9223372036854775"));
        assertEquals(new Err("ERR invalid expire time in 'psetex' command"),
            client.call("PSETEX", "k", "9223372036854775000", "v"));
        assertEquals(new Err("ERR invalid expire time in 'getex' command"),
            client.call("GETEX", "k", "PX", "9223372036854775807"));
        assertEquals(new Err("ERR syntax error"), client.call("SET", "k", "v", "EX", "10", "PX", "10"));
        assertEquals(new Err("ERR syntax error"), client.call("SET", "k", "v", "EX", "10", "KEEPTTL"));
        assertEquals(new Err("ERR syntax error"), client.call("SET", "k", "v", "EX"));
        assertEquals(new Err("ERR invalid expire time in 'setex' command"), client.call("SETEX", "k", "-1", "v"));
        assertEquals(NULL_BULK, client.call("GET", "k"), "nothing was written");
        client.call("SET", "k", "v");
        assertEquals(new Err("ERR NX and XX, GT or LT options at the same time are not compatible"),
            client.call("EXPIRE", "k", "10", "NX", "GT"));
        assertEquals(new Err("ERR GT and LT options at the same time are not compatible"),
            client.call("EXPIRE", "k", "10", "GT", "LT"));
        assertEquals(new Err("ERR Unsupported option SOON"), client.call("EXPIRE", "k", "10", "SOON"));
        assertEquals(new Err("ERR Unsupported option SOON"), client.call("EXPIRE", "k", "later", "SOON"),
            "Redis checks the options before the number");
        assertEquals(new Err("ERR value is not an integer or out of range"), client.call("EXPIRE", "k", "later"));
        assertEquals(new Err("ERR invalid expire time in 'expire' command"),
            client.call("EXPIRE", "k", "9223372036854775807"));
        assertEquals(new Err("ERR syntax error"), client.call("GETEX", "k", "EX", "10", "PERSIST"));
        assertEquals(-1L, client.call("TTL", "k"), "nothing changed");
    }

    @Test
    void theLatestInstantReadsBackWithoutOverflow() throws IOException {
        assertEquals("OK", client.call("SET", "k", "v", "PXAT", "9223372036854775807"));
        assertEquals(9223372036854775807L, client.call("PEXPIRETIME", "k"));
        assertEquals(9223372036854776L, client.call("EXPIRETIME", "k"), "rounded as Redis rounds, not wrapped");
        assertTrue((Long) client.call("TTL", "k") > 9_000_000_000_000_000L);
    }

    @Test
    void expireAndPersistAnswerWhetherTheyChangedTheKey() throws IOException {
        assertEquals(0L, client.call("EXPIRE", "k", "100"), "absent");
        client.call("SET", "k", "v");
        assertEquals(0L, client.call("PERSIST", "k"), "no expiry to remove");
        assertEquals(0L, client.call("EXPIRE", "k", "100", "XX"));
        assertEquals(0L, client.call("EXPIRE", "k", "100", "GT"), "no expiry counts as never");
        assertEquals(1L, client.call("EXPIRE", "k", "100", "NX"));
        assertEquals(0L, client.call("EXPIRE", "k", "200", "NX"));
        assertEquals(1L, client.call("PEXPIRE", "k", "200000", "GT"));
        assertEquals(0L, client.call("EXPIRE", "k", "300", "XX", "LT"));
        assertEquals(1L, client.call("EXPIRE", "k", "50", "XX", "LT"));
        long ttl = (Long) client.call("TTL", "k");
        assertTrue(ttl > 45 && ttl <= 50, "TTL " + ttl);
        assertEquals(1L, client.call("EXPIREAT", "k", String.valueOf(System.currentTimeMillis() / 1000 + 500)));
        assertTrue((Long) client.call("TTL", "k") > 450);
        assertEquals(1L, client.call("PERSIST", "k"));
        assertEquals(-1L, client.call("TTL", "k"));
        assertEquals(new Bulk("v"), client.call("GET", "k"), "the value stayed");
        assertEquals(1L, client.call("EXPIRE", "k", "0"), "a time to live of 0 deletes, as in Redis");
        assertEquals(NULL_BULK, client.call("GET", "k"));
        client.call("SET", "k", "v");
        assertEquals(1L, client.call("PEXPIREAT", "k", "1"), "an instant in the past deletes");
        assertEquals(0L, client.call("EXISTS", "k"));
    }

    @Test
    void getexReturnsTheValueAndSetsOrRemovesItsExpiry() throws IOException {
        assertEquals(NULL_BULK, client.call("GETEX", "k", "EX", "10"));
        client.call("SET", "k", "v");
        assertEquals(new Bulk("v"), client.call("GETEX", "k"));
        assertEquals(-1L, client.call("TTL", "k"));
        assertEquals(new Bulk("v"), client.call("GETEX", "k", "PX", "30000"));
        long ttl = (Long) client.call("TTL", "k");
        assertTrue(ttl > 28 && ttl <= 30, "TTL " + ttl);
        assertEquals(new Bulk("v"), client.call("GETEX", "k", "PERSIST"));
        assertEquals(-1L, client.call("TTL", "k"));
        assertEquals(Consistency.DEFAULT, map.lastConsistency, "at the connection's consistency");
    }
}

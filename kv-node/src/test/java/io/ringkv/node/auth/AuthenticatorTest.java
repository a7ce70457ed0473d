package io.ringkv.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.CounterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Logins: checked on the login thread, failures counted and answered late, verified passwords remembered. */
class AuthenticatorTest {
    private final CounterRegistry registry = new CounterRegistry();
    private final Authenticator authenticator = Authenticator.of(new Users(List.of(
        new User("alice", Permission.READWRITE, PasswordHash.create("secret".toCharArray(),
            PasswordHash.MIN_ITERATIONS, new SecureRandom())))), registry, Duration.ZERO);

    @AfterEach
    void close() {
        authenticator.close();
    }

    @Test
    void anUnknownUsersCheckCostsWhatMostUsersChecksCost() {
        // the first user's count was used: a user added with other --iterations told an unknown name apart by time
        SecureRandom random = new SecureRandom();
        java.util.function.BiFunction<String, Integer, User> user = (name, iterations) -> new User(name,
            Permission.READ, PasswordHash.create("pw".toCharArray(), iterations, random));
        int few = PasswordHash.MIN_ITERATIONS;
        assertEquals(2 * few, Authenticator.decoyIterations(new Users(List.of(user.apply("first", few),
            user.apply("b", 2 * few), user.apply("c", 2 * few)))));
        assertEquals(2 * few, Authenticator.decoyIterations(new Users(List.of(user.apply("first", few),
            user.apply("b", 2 * few)))), "on a tie, the larger");
    }

    private Optional<User> login(String user, String password) throws Exception {
        return authenticator.login(user, password.getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void theRightPasswordLogsInAndTheSecondTimeNeedsNoSlowHash() throws Exception {
        assertEquals("alice", login("alice", "secret").orElseThrow().name());
        assertEquals(0, registry.value("auth_logins_cached"));
        assertEquals("alice", login("alice", "secret").orElseThrow().name());
        assertEquals(2, registry.value("auth_logins"));
        assertEquals(1, registry.value("auth_logins_cached"));
    }

    @Test
    void aWrongPasswordOrAnUnknownUserIsRefusedAndCounted() throws Exception {
        assertTrue(login("alice", "Secret").isEmpty());
        assertTrue(login("mallory", "secret").isEmpty());
        assertEquals(2, registry.value("acl_access_denied_auth"));
        assertEquals(0, registry.value("auth_logins"));
        login("alice", "secret");
        assertTrue(login("alice", "wrong").isEmpty(), "a remembered password does not let another one in");
    }

    @Test
    void aFailedLoginIsAnsweredNoSoonerThanTheDelay() throws Exception {
        CounterRegistry own = new CounterRegistry();
        Users users = new Users(List.of(new User("alice", Permission.READ, PasswordHash.create("secret".toCharArray(),
            PasswordHash.MIN_ITERATIONS, new SecureRandom()))));
        try (Authenticator slow = Authenticator.of(users, own, Duration.ofMillis(300))) {
            long start = System.nanoTime();
            assertTrue(slow.login("anyone", new byte[] {1}).get(30, TimeUnit.SECONDS).isEmpty());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));
        }
    }

    @Test
    void aPoolsBurstOfLoginsWithOnePasswordIsOneCheckAndNoneIsRefused() throws Exception {
        CounterRegistry own = new CounterRegistry();
        // the default cost: each check takes a good part of a second, so the burst arrives while the first runs
        Users users = new Users(List.of(new User("pool", Permission.READ, PasswordHash.create("pw".toCharArray(),
            PasswordHash.DEFAULT_ITERATIONS, new SecureRandom()))));
        try (Authenticator pool = Authenticator.of(users, own, Duration.ZERO)) {
            int burst = Authenticator.MAX_PENDING_LOGINS + 36;
            List<java.util.concurrent.CompletableFuture<Optional<User>>> logins = new java.util.ArrayList<>();
            for (int i = 0; i < burst; i++) {
                logins.add(pool.login("pool", "pw".getBytes(StandardCharsets.UTF_8), "10.0.0.1"));
            }
            for (var login : logins) {
                assertEquals("pool", login.get(60, TimeUnit.SECONDS).orElseThrow().name());
            }
            assertEquals(0, own.value("auth_logins_refused_busy"));
            assertEquals(burst, own.value("auth_logins"));
        }
    }

    @Test
    void oneAddressGuessingPasswordsLeavesRoomForOthers() {
        CounterRegistry own = new CounterRegistry();
        try (Authenticator guarded = slowlyHashing(own)) {
            int refused = guessesRefused(guarded, i -> "203.0.113.9");
            // 4 unless the test thread stalled for a whole check (a second or more) in the loop
            assertTrue(refused >= 1 && refused <= 4, "one address may keep "
                + Authenticator.MAX_PENDING_LOGINS_PER_ORIGIN + " checks waiting; refused " + refused);
            assertFalse(guarded.login("alice", "pw".getBytes(StandardCharsets.UTF_8), "198.51.100.7")
                .isCompletedExceptionally(), "another address still gets a check");
            assertEquals(refused, own.value("auth_logins_refused_busy"));
        }
    }

    @Test
    void anIpv6ClientIsOneOriginAcrossItsSlash64AndAnIpv4ClientItsAddress() throws Exception {
        assertEquals("2001:db8:0:1::/64", originOf("2001:db8:0:1::1"));
        assertEquals("2001:db8:0:1::/64", originOf("2001:db8:0:1:ffff:1:2:3"));
        assertEquals("2001:db8:0:2::/64", originOf("2001:db8:0:2::1"));
        assertEquals("203.0.113.9", originOf("203.0.113.9"));
        // an IPv4-mapped address is the IPv4 client it maps; NAT64 and the zero /64 carry IPv4 clients too
        assertEquals("203.0.113.9", originOf("::ffff:203.0.113.9"));
        assertEquals("64:ff9b:0:0:0:0:cb00:7109", originOf("64:ff9b::203.0.113.9"));
        assertEquals("0:0:0:0:0:0:0:1", originOf("::1"));
        assertEquals("", Authenticator.originOf(null));
        try (Authenticator guarded = slowlyHashing(new CounterRegistry())) {
            // a guesser moving to a new address of its /64 at every guess still has one origin's slots
            int refused = guessesRefused(guarded, i -> originOf("2001:db8:0:1::" + Integer.toHexString(i + 1)));
            // 4 unless the test thread stalled for a whole check (a second or more) in the loop
            assertTrue(refused >= 1 && refused <= 4, "one /64 may keep " + Authenticator.MAX_PENDING_LOGINS_PER_ORIGIN
                + " checks waiting; refused " + refused);
            assertFalse(guarded.login("alice", "pw".getBytes(StandardCharsets.UTF_8), originOf("2001:db8:0:2::1"))
                .isCompletedExceptionally(), "another /64 still gets a check");
        }
    }

    /** @return an authenticator whose one user's hash takes a second or more: no check finishes during a burst */
    private static Authenticator slowlyHashing(CounterRegistry counters) {
        Users users = new Users(List.of(new User("alice", Permission.READ, PasswordHash.create("pw".toCharArray(),
            2_000_000, new SecureRandom()))));
        return Authenticator.of(users, counters, Duration.ZERO);
    }

    /** @return how many of 4 more wrong guesses than one origin may keep waiting were refused at once */
    private static int guessesRefused(Authenticator guarded, java.util.function.IntFunction<String> originOfGuess) {
        int refused = 0;
        for (int i = 0; i < Authenticator.MAX_PENDING_LOGINS_PER_ORIGIN + 4; i++) {
            if (guarded.login("alice", ("guess-" + i).getBytes(StandardCharsets.UTF_8), originOfGuess.apply(i))
                .isCompletedExceptionally()) {
                refused++;
            }
        }
        return refused;
    }

    private static String originOf(String address) {
        try {
            return Authenticator.originOf(InetAddress.getByName(address));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    @Test
    void addressesThatGuessedWrongShareHalfTheSlotsAndWaitBehindTheOthers() throws Exception {
        // four addresses of 16 guesses each filled all 64 slots, and the hashing thread took them in turn: every
        // other address's login was refused, or waited behind them all
        CounterRegistry own = new CounterRegistry();
        // 20-50 ms a check: the queue stays full while the logins below arrive (a few milliseconds)
        Users users = new Users(List.of(new User("alice", Permission.READ, PasswordHash.create("pw".toCharArray(),
            100_000, new SecureRandom()))));
        try (Authenticator guarded = Authenticator.of(users, own, Duration.ZERO)) {
            List<String> guessers = List.of("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4");
            for (String guesser : guessers) {
                assertTrue(guarded.login("alice", "wrong".getBytes(StandardCharsets.UTF_8), guesser)
                    .get(30, TimeUnit.SECONDS).isEmpty());
            }
            List<Integer> finished = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            List<java.util.concurrent.CompletableFuture<Optional<User>>> guesses = new java.util.ArrayList<>();
            for (int i = 0; i < Authenticator.MAX_PENDING_LOGINS_PER_ORIGIN; i++) {
                for (String guesser : guessers) {
                    var guess = guarded.login("alice", ("guess-" + i + guesser).getBytes(StandardCharsets.UTF_8),
                        guesser);
                    if (!guess.isCompletedExceptionally()) {
                        guesses.add(guess);
                        guess.whenComplete((user, failure) -> finished.add(1));
                    }
                }
            }
            assertEquals(Authenticator.MAX_PENDING_LOGINS_OF_SUSPECTS, guesses.size(), "the guessers' share");
            var login = guarded.login("alice", "pw".getBytes(StandardCharsets.UTF_8), "198.51.100.7");
            login.whenComplete((user, failure) -> finished.add(0));
            assertEquals("alice", login.get(30, TimeUnit.SECONDS).orElseThrow().name());
            for (var guess : guesses) {
                guess.get(60, TimeUnit.SECONDS);
            }
            // at most the guess the thread was hashing when the login came, and the one taken in between, before it
            assertTrue(finished.indexOf(0) <= 2, "the login waited behind the guessers: " + finished.indexOf(0));
        }
    }

    @Test
    void anAddressGetsItsSlotsBackOnceItsChecksAreDoneAndWrongPasswordsStayWrong() throws Exception {
        int slots = Authenticator.MAX_PENDING_LOGINS_PER_ORIGIN;
        for (int round = 0; round < 2; round++) {
            List<java.util.concurrent.CompletableFuture<Optional<User>>> guesses = new java.util.ArrayList<>();
            for (int i = 0; i < slots; i++) {
                // the same wrong password, again and again: joined checks, each answered as wrong
                guesses.add(authenticator.login("alice", ("guess-" + i % 4).getBytes(StandardCharsets.UTF_8),
                    "203.0.113.9"));
            }
            for (var guess : guesses) {
                assertTrue(guess.get(30, TimeUnit.SECONDS).isEmpty());
            }
        }
        assertEquals(0, registry.value("auth_logins_refused_busy"));
        assertEquals(2L * slots, registry.value("acl_access_denied_auth"));
        assertTrue(login("alice", "secret").isPresent());
    }

    @Test
    void aLoginWaitingForACheckWhenTheNodeStopsIsAnsweredClosed() {
        Users users = new Users(List.of(new User("alice", Permission.READ, PasswordHash.create("pw".toCharArray(),
            2_000_000, new SecureRandom()))));
        Authenticator stopping = Authenticator.of(users, new CounterRegistry(), Duration.ZERO);
        stopping.login("alice", "first".getBytes(StandardCharsets.UTF_8), "a");
        var waiting = stopping.login("alice", "second".getBytes(StandardCharsets.UTF_8), "a");
        stopping.close();
        var failure = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> waiting.get(30, TimeUnit.SECONDS));
        assertEquals(io.ringkv.api.ErrorCode.CLOSED, ((io.ringkv.api.KvException) failure.getCause()).code());
    }

    @Test
    void withoutUsersNothingIsRequiredAndThereIsNoLoginToCheck() {
        try (Authenticator open = Authenticator.open(new CounterRegistry())) {
            assertFalse(open.required());
            assertThrows(IllegalStateException.class, () -> open.login("alice", new byte[0]));
        }
    }
}

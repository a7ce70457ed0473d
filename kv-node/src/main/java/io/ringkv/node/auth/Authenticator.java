package io.ringkv.node.auth;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the logins of the client ports (RESP and HTTP) against the node's {@link Users}, off every serving
 * thread: the slow hash runs on one thread of its own ({@code ringkv-login}), so logins cost at most one core
 * however many arrive, and at most {@value #MAX_PENDING_LOGINS} checks wait for it, {@value
 * #MAX_PENDING_LOGINS_PER_ORIGIN} of them from one client address and {@value #MAX_PENDING_LOGINS_OF_SUSPECTS} from
 * addresses whose login failed in the last minute, which are checked after every other address's (more are refused
 * at once, counted): a few addresses guessing passwords cannot keep the others from logging in. Logins of
 * one user and password that arrive while its check runs wait for that check, so a connection pool's burst costs one.
 * A wrong password or an unknown user is answered only after the failure delay (a scheduled completion, no thread
 * waits), which slows guessing on one connection to one try a delay; an unknown user costs the same hash as a
 * known one, so the time of an answer does not tell whether a user exists.
 *
 * <p>A password once verified is remembered for its user as an HMAC under a key made at start (never written
 * anywhere), so a connection pool's logins and HTTP basic auth, which sends the password with every request, do
 * not pay the slow hash each time; a password that does not match the remembered one takes the slow path.
 *
 * <p>Without users ({@link #open}) nothing is checked: {@link #required()} is false and every client may do
 * everything, as before users existed.
 */
public final class Authenticator implements AutoCloseable {
    /** How long a failed login waits before it is answered. */
    public static final Duration FAILURE_DELAY = Duration.ofSeconds(1);
    /** Logins waiting for the hashing thread before more are refused. */
    public static final int MAX_PENDING_LOGINS = 64;
    /** Of those, how many one client address may have: a client guessing passwords leaves room for the others. */
    public static final int MAX_PENDING_LOGINS_PER_ORIGIN = 16;
    /**
     * Of those, how many addresses with a failed login in the last {@link #SUSPECT_FOR} may have together; their
     * checks also wait behind every other address's: a few addresses guessing passwords cannot keep the others out.
     */
    public static final int MAX_PENDING_LOGINS_OF_SUSPECTS = MAX_PENDING_LOGINS / 2;
    /** How long an address whose login failed counts as guessing. */
    public static final Duration SUSPECT_FOR = Duration.ofMinutes(1);
    /** Addresses remembered as guessing at most; past it, the expired are forgotten, then new ones are not kept. */
    private static final int MAX_SUSPECTS = 10_000;

    private final Users users;
    private final CounterSet<AuthCounter> counters;
    private final long failureDelayNanos;
    /** The one thread that hashes: checks of addresses not suspected first, then in the order they came. */
    private final java.util.concurrent.ThreadPoolExecutor hashing;
    /** Answers failed logins after the delay. */
    private final ScheduledThreadPoolExecutor delays;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger pendingOfSuspects = new AtomicInteger();
    /** Addresses whose login failed, until when they count as guessing. */
    private final ConcurrentHashMap<String, Long> suspectUntil = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> pendingByOrigin = new ConcurrentHashMap<>();
    /**
     * Checks on their way, by the fingerprint of what they check: a login of the same user and password joins the
     * one under way (a connection pool opening fifty connections costs one slow hash, and one slot).
     */
    private final ConcurrentHashMap<java.nio.ByteBuffer, CompletableFuture<Boolean>> checking =
        new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, byte[]> verified = new ConcurrentHashMap<>();
    private final SecretKeySpec rememberKey;
    private final PasswordHash decoy;

    private Authenticator(Users users, CounterRegistry counters, Duration failureDelay) {
        this.users = users;
        this.counters = counters.register(AuthCounter.class);
        this.failureDelayNanos = failureDelay.toNanos();
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[32];
        random.nextBytes(key);
        this.rememberKey = new SecretKeySpec(key, "HmacSHA256");
        if (users == null) {
            hashing = null;
            delays = null;
            decoy = null;
        } else {
            hashing = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.PriorityBlockingQueue<>(),
                Thread.ofPlatform().name("ringkv-login").daemon(true).factory());
            delays = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("ringkv-login-delay").daemon(true)
                .factory());
            delays.setRemoveOnCancelPolicy(true);
            byte[] salt = new byte[PasswordHash.SALT_BYTES];
            byte[] hash = new byte[PasswordHash.HASH_BYTES];
            random.nextBytes(salt);
            random.nextBytes(hash);
            decoy = new PasswordHash(decoyIterations(users), salt, hash);
        }
    }

    /**
     * @return the iteration count most users' hashes have (the larger on a tie): an unknown user's check costs what
     *     most known users' checks cost, so its answer's timing tells no one the name is unknown (the first user's
     *     count, used before, told it apart whenever that user's differed from the others')
     */
    static int decoyIterations(Users users) {
        java.util.Map<Integer, Long> counts = new java.util.TreeMap<>();
        users.all().forEach(user -> counts.merge(user.password().iterations(), 1L, Long::sum));
        int most = PasswordHash.DEFAULT_ITERATIONS;
        long seen = 0;
        for (java.util.Map.Entry<Integer, Long> count : counts.entrySet()) {
            if (count.getValue() >= seen) {
                most = count.getKey();
                seen = count.getValue();
            }
        }
        return most;
    }

    /** @return an authenticator that checks nothing: every client may do everything (its counters registered) */
    public static Authenticator open(CounterRegistry counters) {
        return new Authenticator(null, counters, FAILURE_DELAY);
    }

    /** @return an authenticator that checks nothing, with counters of its own (they stay 0) */
    public static Authenticator open() {
        return open(new CounterRegistry(AuthCounter.values().length));
    }

    /** @return an authenticator of {@code users} that answers a failed login after {@link #FAILURE_DELAY} */
    public static Authenticator of(Users users, CounterRegistry counters) {
        return of(users, counters, FAILURE_DELAY);
    }

    /** @return an authenticator of {@code users} that answers a failed login after {@code failureDelay} */
    public static Authenticator of(Users users, CounterRegistry counters, Duration failureDelay) {
        return new Authenticator(Objects.requireNonNull(users, "users"), counters, failureDelay);
    }

    /** @return whether clients must log in: false when the node has no users */
    public boolean required() {
        return users != null;
    }

    /** @return the counters of logins and refusals */
    public CounterSet<AuthCounter> counters() {
        return counters;
    }

    /**
     * Checks a login; never blocks the caller.
     *
     * @param password the password's bytes (copied; the caller may reuse the array)
     * @return completes, on another thread, with the user when the password is its own; empty after the failure
     *     delay when the user is unknown or the password wrong; exceptionally with a {@link KvException} when too
     *     many logins are pending ({@code UNAVAILABLE}) or the node is stopping ({@code CLOSED})
     * @throws IllegalStateException when the node has no users ({@link #required()} is false)
     */
    public CompletableFuture<Optional<User>> login(String name, byte[] password) {
        return login(name, password, "");
    }

    /**
     * @return the origin a client at {@code address} logs in from ({@link #login(String, byte[], String)}): an IPv4
     *     address itself, and for IPv6 its /64 network ({@code 2001:db8:0:1::/64}), the smallest block one site or
     *     host is given, so that a client cannot take a fresh limit with each of its 2<sup>64</sup> addresses; the
     *     whole address where IPv6 carries an IPv4 client's (NAT64's {@code 64:ff9b::/96}, or the first 64 bits all
     *     zero, as in {@code ::1}), whose /64 holds many clients; "" when not known
     */
    public static String originOf(java.net.InetAddress address) {
        if (address == null) {
            return "";
        }
        byte[] bytes = address.getAddress();
        if (bytes.length != 16 || carriesIpv4(bytes)) {
            return address.getHostAddress();
        }
        StringBuilder network = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
            network.append(Integer.toHexString((bytes[i] & 0xFF) << 8 | bytes[i + 1] & 0xFF)).append(':');
        }
        return network.append(":/64").toString();
    }

    /** @return true for an IPv6 address whose first 64 bits are zero, or in NAT64's well-known 64:ff9b::/96 */
    private static boolean carriesIpv4(byte[] ipv6) {
        boolean zero = true;
        for (int i = 0; i < 8; i++) {
            zero &= ipv6[i] == 0;
        }
        byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
        return zero || java.util.Arrays.equals(ipv6, 0, nat64.length, nat64, 0, nat64.length);
    }

    /**
     * Checks a login as {@link #login(String, byte[])} does, for a client at {@code origin}: at most
     * {@value #MAX_PENDING_LOGINS_PER_ORIGIN} checks of one origin wait at once. A login of a user and password whose
     * check is already under way waits for that check instead of queueing another.
     *
     * @param origin where the client logs in from ({@link #originOf}; "" when not known: such logins share one limit)
     */
    public CompletableFuture<Optional<User>> login(String name, byte[] password, String origin) {
        if (users == null) {
            throw new IllegalStateException("the node has no users: there is no login to check");
        }
        Optional<User> user = users.find(name);
        byte[] fingerprint = fingerprint(name, password);
        byte[] remembered = user.isPresent() ? verified.get(name) : null;
        if (remembered != null && MessageDigest.isEqual(remembered, fingerprint)) {
            counters.get(AuthCounter.LOGINS).increment();
            counters.get(AuthCounter.LOGINS_CACHED).increment();
            return CompletableFuture.completedFuture(user);
        }
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(fingerprint);
        CompletableFuture<Boolean> check = checking.get(key);
        if (check == null) {
            CompletableFuture<Boolean> started = startCheck(name, user, password, origin, key);
            if (started == null) {
                counters.get(AuthCounter.LOGINS_BUSY).increment();
                return CompletableFuture.failedFuture(new KvException(ErrorCode.UNAVAILABLE,
                    "too many logins are being verified; retry in a moment"));
            }
            check = started;
        }
        CompletableFuture<Optional<User>> result = new CompletableFuture<>();
        check.whenComplete((matches, failure) -> {
            if (failure != null) {
                if (failure instanceof KvException refused && refused.code() == ErrorCode.UNAVAILABLE) {
                    // joined a check refused as busy: refused with it, and counted
                    counters.get(AuthCounter.LOGINS_BUSY).increment();
                }
                result.completeExceptionally(failure);
            } else if (matches) {
                counters.get(AuthCounter.LOGINS).increment();
                result.complete(user);
            } else {
                counters.get(AuthCounter.FAILED_LOGINS).increment();
                answerLater(result);
            }
        });
        return result;
    }

    /**
     * Queues one slow check, unless the node's or the origin's limit is reached.
     *
     * @return the check (or one a concurrent login started for the same fingerprint), or null when refused as busy
     */
    private CompletableFuture<Boolean> startCheck(String name, Optional<User> user, byte[] password, String origin,
                                                  java.nio.ByteBuffer key) {
        CompletableFuture<Boolean> check = new CompletableFuture<>();
        CompletableFuture<Boolean> raced = checking.putIfAbsent(key, check);
        if (raced != null) {
            return raced;
        }
        boolean suspect = isSuspect(origin);
        boolean tookNode = pending.incrementAndGet() <= MAX_PENDING_LOGINS;
        // a suspect's count is taken only when the node's was
        boolean tookSuspects = tookNode && suspect
            && pendingOfSuspects.incrementAndGet() <= MAX_PENDING_LOGINS_OF_SUSPECTS;
        boolean admitted = tookNode && (!suspect || tookSuspects);
        if (admitted) {
            int[] mine = {0};
            pendingByOrigin.compute(origin, (address, count) -> {
                mine[0] = count == null ? 1 : count + 1;
                return mine[0] <= MAX_PENDING_LOGINS_PER_ORIGIN ? mine[0] : count;
            });
            admitted = mine[0] <= MAX_PENDING_LOGINS_PER_ORIGIN;
        }
        if (!admitted) {
            if (tookNode && suspect) {
                pendingOfSuspects.decrementAndGet();
            }
            pending.decrementAndGet();
            checking.remove(key, check);
            // a login that joined this check meanwhile is refused with it
            check.completeExceptionally(new KvException(ErrorCode.UNAVAILABLE,
                "too many logins are being verified; retry in a moment"));
            return null;
        }
        byte[] copy = password.clone();
        boolean asSuspect = suspect;
        try {
            hashing.execute(new Check(asSuspect, System.nanoTime(),
                () -> verify(name, user, copy, check, origin, key, asSuspect)));
        } catch (RejectedExecutionException e) {
            finished(origin, key, check, asSuspect);
            check.completeExceptionally(new KvException(ErrorCode.CLOSED, "the node is stopping"));
        }
        return check;
    }

    private void verify(String name, Optional<User> user, byte[] password, CompletableFuture<Boolean> check,
                        String origin, java.nio.ByteBuffer key, boolean suspect) {
        boolean matches = false;
        Throwable failure = null;
        try {
            if (user.isPresent()) {
                matches = user.get().password().matches(password);
            } else {
                // as slow as a known user's check, so the answer's time does not say whether the user exists
                decoy.matches(password);
            }
            if (matches) {
                verified.put(name, fingerprint(name, password));
            } else {
                suspect(origin);
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            Arrays.fill(password, (byte) 0);
            // whatever happened, the check leaves the queue and every login that joined it is answered
            finished(origin, key, check, suspect);
            if (failure == null) {
                check.complete(matches);
            } else {
                check.completeExceptionally(failure);
            }
        }
        if (failure instanceof Error error) {
            throw error;
        }
    }

    /** A check left the queue: its slots are free, and a later login of the same pair checks again. */
    private void finished(String origin, java.nio.ByteBuffer key, CompletableFuture<Boolean> check,
                          boolean suspect) {
        checking.remove(key, check);
        pending.decrementAndGet();
        if (suspect) {
            pendingOfSuspects.decrementAndGet();
        }
        pendingByOrigin.computeIfPresent(origin, (address, count) -> count <= 1 ? null : count - 1);
    }

    /** @return true when a login from {@code origin} failed within {@link #SUSPECT_FOR} */
    private boolean isSuspect(String origin) {
        Long until = suspectUntil.get(origin);
        return until != null && System.nanoTime() - until < 0;
    }

    /** Remembers that a login from {@code origin} failed. */
    private void suspect(String origin) {
        long now = System.nanoTime();
        if (suspectUntil.size() >= MAX_SUSPECTS) {
            suspectUntil.values().removeIf(until -> now - until >= 0);
            if (suspectUntil.size() >= MAX_SUSPECTS && !suspectUntil.containsKey(origin)) {
                return;
            }
        }
        suspectUntil.put(origin, now + SUSPECT_FOR.toNanos());
    }

    /**
     * A check for the hashing thread: those of addresses not suspected first, each kind in the order queued
     * ({@code queuedNanos}; two queued within one tick of the clock go in either order).
     */
    private record Check(boolean suspect, long queuedNanos, Runnable work) implements Runnable, Comparable<Check> {
        @Override
        public void run() {
            work.run();
        }

        @Override
        public int compareTo(Check other) {
            if (suspect != other.suspect) {
                return suspect ? 1 : -1;
            }
            return Long.signum(queuedNanos - other.queuedNanos);
        }
    }

    private void answerLater(CompletableFuture<Optional<User>> result) {
        try {
            delays.schedule(() -> result.complete(Optional.empty()), failureDelayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            result.complete(Optional.empty());
        }
    }

    /** @return the HMAC that stands for a verified password in memory: not reversible without the start-up key */
    private byte[] fingerprint(String name, byte[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(rememberKey);
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            // the name's length first: no other name and password make the same bytes
            mac.update(java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(nameBytes.length).array());
            mac.update(nameBytes);
            return mac.doFinal(password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /** Stops the login thread; logins still waiting for a check are answered {@code CLOSED}. */
    @Override
    public void close() {
        if (hashing != null) {
            hashing.shutdownNow();
            delays.shutdownNow();
            KvException closed = new KvException(ErrorCode.CLOSED, "the node is stopping");
            checking.values().forEach(check -> check.completeExceptionally(closed));
        }
    }
}

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
 * #MAX_PENDING_LOGINS_PER_ORIGIN} of them from one client address (more are refused at once, counted). Logins of
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

    private final Users users;
    private final CounterSet<AuthCounter> counters;
    private final long failureDelayNanos;
    private final ScheduledThreadPoolExecutor hashing;
    private final AtomicInteger pending = new AtomicInteger();
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
            decoy = null;
        } else {
            hashing = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("ringkv-login").daemon(true)
                .factory());
            hashing.setRemoveOnCancelPolicy(true);
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
     * Checks a login as {@link #login(String, byte[])} does, for a client at {@code origin}: at most
     * {@value #MAX_PENDING_LOGINS_PER_ORIGIN} checks of one origin wait at once. A login of a user and password whose
     * check is already under way waits for that check instead of queueing another.
     *
     * @param origin the client's address ("" when not known: such logins share one limit)
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
        boolean admitted = false;
        if (pending.incrementAndGet() <= MAX_PENDING_LOGINS) {
            int[] mine = {0};
            pendingByOrigin.compute(origin, (address, count) -> {
                mine[0] = count == null ? 1 : count + 1;
                return mine[0] <= MAX_PENDING_LOGINS_PER_ORIGIN ? mine[0] : count;
            });
            admitted = mine[0] <= MAX_PENDING_LOGINS_PER_ORIGIN;
        }
        if (!admitted) {
            pending.decrementAndGet();
            checking.remove(key, check);
            // a login that joined this check meanwhile is refused with it
            check.completeExceptionally(new KvException(ErrorCode.UNAVAILABLE,
                "too many logins are being verified; retry in a moment"));
            return null;
        }
        byte[] copy = password.clone();
        try {
            hashing.execute(() -> verify(name, user, copy, check, origin, key));
        } catch (RejectedExecutionException e) {
            finished(origin, key, check);
            check.completeExceptionally(new KvException(ErrorCode.CLOSED, "the node is stopping"));
        }
        return check;
    }

    private void verify(String name, Optional<User> user, byte[] password, CompletableFuture<Boolean> check,
                        String origin, java.nio.ByteBuffer key) {
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
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            Arrays.fill(password, (byte) 0);
            // whatever happened, the check leaves the queue and every login that joined it is answered
            finished(origin, key, check);
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
    private void finished(String origin, java.nio.ByteBuffer key, CompletableFuture<Boolean> check) {
        checking.remove(key, check);
        pending.decrementAndGet();
        pendingByOrigin.computeIfPresent(origin, (address, count) -> count <= 1 ? null : count - 1);
    }

    private void answerLater(CompletableFuture<Optional<User>> result) {
        try {
            hashing.schedule(() -> result.complete(Optional.empty()), failureDelayNanos, TimeUnit.NANOSECONDS);
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
            KvException closed = new KvException(ErrorCode.CLOSED, "the node is stopping");
            checking.values().forEach(check -> check.completeExceptionally(closed));
        }
    }
}

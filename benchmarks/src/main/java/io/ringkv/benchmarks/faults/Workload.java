package io.ringkv.benchmarks.faults;

import io.ringkv.benchmarks.faults.Op.Outcome;
import io.ringkv.benchmarks.faults.Op.Type;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The clients: each bound to one node (clients spread over the nodes clients are sent to, which change as nodes
 * join and leave: a client moves when its place falls on another node), each running a seeded mix until the
 * deadline, every operation recorded in the history.
 * <ul>
 *   <li>unique-key writes ({@code u:<id>}), 40 %: SET of a key no other operation writes;</li>
 *   <li>reads, 20 %: GETV of an acknowledged unique key, at the run's level, ONE or ALL;</li>
 *   <li>read-modify-write, 30 %: GETV then SETV with its context on one of a few shared keys ({@code r:<n>}),
 *       so clients race and vector clocks make siblings;</li>
 *   <li>deletes, 10 %: SET of a fresh key ({@code d:<id>}), then DEL of it once acknowledged; with
 *       {@code --expire-races}, for half of them an EXPIRE of the key is sent through another node just before the
 *       DEL, and answered after it, so that the two race (every node coordinates the keys it replicates). The
 *       EXPIRE is not in the history: it makes no value, so the key must still end deleted
 *       ({@code RESURRECTED_DELETE} otherwise).</li>
 * </ul>
 */
final class Workload {
    private static final int RMW_KEYS = 16;
    private static final int REQUEST_TIMEOUT_MILLIS = 4_000;

    private final HarnessOptions options;
    private final History history;
    private final Supplier<List<Integer>> targets;
    private final List<String> acknowledgedKeys = new ArrayList<>();
    /** Each EXPIRE sent to race a DEL, by key: counted, and for the report beside an anomaly of that key. */
    private final java.util.Map<String, ExpireRace> expireRaces = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * An EXPIRE sent to race a DEL.
     *
     * @param answered whether it answered with a number (0 or 1), not an error or nothing
     * @param answer what it answered ({@code 1}, {@code 0}, an error), or why none came
     */
    record ExpireRace(int node, long sentNanos, long answeredNanos, boolean answered, String answer) {
    }

    /** @param targets the nodes clients send to now (1-based, never empty); client c uses the c-th modulo size */
    Workload(HarnessOptions options, History history, Supplier<List<Integer>> targets) {
        this.options = options;
        this.history = history;
        this.targets = targets;
    }

    /** Runs every client until {@code deadlineNanos} (which may move meanwhile); returns when all have stopped. */
    void run(AtomicLong deadlineNanos) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        SplittableRandom seeds = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        int clients = options.clientsPerNode() * options.nodes();
        for (int c = 0; c < clients; c++) {
            Client client = new Client(c, seeds.split(), deadlineNanos);
            threads.add(Thread.ofPlatform().name("harness-client-" + c).start(client::run));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** @return the EXPIRE that raced the DEL of {@code key}, or null */
    ExpireRace expireRace(String key) {
        return expireRaces.get(key);
    }

    /** @return EXPIREs sent to race a DEL, and those answered with 0 or 1 (not an error) */
    long[] racedExpires() {
        return new long[] {expireRaces.size(), expireRaces.values().stream().filter(ExpireRace::answered).count()};
    }

    /** One client: a connection to its node, reopened after every failure. */
    private final class Client {
        private final int id;
        private final SplittableRandom random;
        private final AtomicLong deadlineNanos;
        private final long pauseNanos;
        private int node;
        private RespClient connection;
        private String level;
        /** A connection to another node, for EXPIREs that race this client's DELs; null until needed, or failed. */
        private RespClient racer;
        private int racerNode;

        Client(int id, SplittableRandom random, AtomicLong deadlineNanos) {
            this.id = id;
            this.random = random;
            this.deadlineNanos = deadlineNanos;
            this.pauseNanos = 1_000_000_000L * options.clientsPerNode() * options.nodes() / options.rate();
        }

        void run() {
            long next = System.nanoTime();
            while (System.nanoTime() < deadlineNanos.get()) {
                List<Integer> now = targets.get();
                int target = now.get(id % now.size());
                if (target != node) {
                    disconnect();
                    node = target;
                }
                int dice = random.nextInt(100);
                if (dice < 40) {
                    write("u:" + history.nextId());
                } else if (dice < 60) {
                    read();
                } else if (dice < 90) {
                    readModifyWrite("r:" + random.nextInt(RMW_KEYS));
                } else {
                    String key = "d:" + history.nextId();
                    if (write(key)) {
                        if (options.expireRaces() && random.nextBoolean()) {
                            deleteRacingAnExpire(key, now);
                        } else {
                            delete(key);
                        }
                    }
                }
                next += pauseNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    sleepNanos(sleep);
                } else {
                    next = System.nanoTime();
                }
            }
            if (connection != null) {
                connection.close();
            }
            closeRacer();
        }

        private boolean write(String key) {
            long opId = history.nextId();
            Op op = execute(opId, Type.WRITE, key, Op.valueOf(opId), List.of(), options.consistency(),
                "SET", key, Op.valueOf(opId));
            if (op.ok() && key.startsWith("u:")) {
                synchronized (acknowledgedKeys) {
                    acknowledgedKeys.add(key);
                }
            }
            return op.ok();
        }

        private void read() {
            String key;
            synchronized (acknowledgedKeys) {
                if (acknowledgedKeys.isEmpty()) {
                    return;
                }
                key = acknowledgedKeys.get(random.nextInt(acknowledgedKeys.size()));
            }
            int dice = random.nextInt(4);
            String readLevel = dice == 0 ? "ONE" : dice == 1 ? "ALL" : options.consistency();
            execute(history.nextId(), Type.READ, key, null, List.of(), readLevel, "GETV", key);
        }

        private void readModifyWrite(String key) {
            Reading reading = new Reading();
            Op read = execute(history.nextId(), Type.READ, key, null, List.of(), options.consistency(), reading,
                "GETV", key);
            if (!read.ok()) {
                return;
            }
            long opId = history.nextId();
            execute(opId, Type.SETV, key, Op.valueOf(opId), read.observed(), options.consistency(),
                "SETV", key, reading.context, Op.valueOf(opId));
        }

        private void delete(String key) {
            execute(history.nextId(), Type.DELETE, key, null, List.of(), options.consistency(), "DEL", key);
        }

        /** Sends EXPIRE of {@code key} through another node of {@code now}, the DEL, then reads the EXPIRE's answer. */
        private void deleteRacingAnExpire(String key, List<Integer> now) {
            RespClient other = racer(now);
            boolean sent = false;
            long sentNanos = System.nanoTime();
            if (other != null) {
                try {
                    other.send("EXPIRE", key, "3600");
                    other.flush();
                    sent = true;
                } catch (IOException e) {
                    closeRacer();
                }
            }
            int through = racerNode;
            delete(key);
            if (sent) {
                boolean answered = false;
                String answer;
                try {
                    RespClient.Reply reply = other.read();
                    answered = reply instanceof RespClient.Text;
                    answer = reply instanceof RespClient.Text(String text) ? text : reply.toString();
                } catch (IOException | RuntimeException e) {
                    closeRacer();
                    answer = "no answer: " + e.getMessage();
                }
                expireRaces.put(key, new ExpireRace(through, sentNanos, System.nanoTime(), answered, answer));
            }
        }

        /** @return a connection to the node after this client's in {@code now}; null when there is none, or it fails */
        private RespClient racer(List<Integer> now) {
            int target = now.get((id + 1) % now.size());
            if (target == node) {
                return null;
            }
            if (racer != null && racerNode != target) {
                closeRacer();
            }
            if (racer == null) {
                try {
                    racer = new RespClient(NodeNetwork.address(target), ClusterNode.CLIENT_PORT,
                        REQUEST_TIMEOUT_MILLIS);
                    racerNode = target;
                    if (racer.call("CONSISTENCY", options.consistency()) instanceof RespClient.Error) {
                        closeRacer();
                    }
                } catch (IOException e) {
                    closeRacer();
                }
            }
            return racer;
        }

        private void closeRacer() {
            if (racer != null) {
                racer.close();
                racer = null;
            }
        }

        private Op execute(long opId, Type type, String key, String value, List<String> observed, String opLevel,
                           String... command) {
            return execute(opId, type, key, value, observed, opLevel, new Reading(), command);
        }

        /** Sends one command at {@code opLevel}, records the operation and returns it. */
        private Op execute(long opId, Type type, String key, String value, List<String> observed, String opLevel,
                           Reading reading, String... command) {
            long start = System.nanoTime();
            Outcome outcome;
            String error = null;
            List<String> seen = observed;
            try {
                RespClient client = connection(opLevel);
                RespClient.Reply reply = client.call(command);
                if (reply instanceof RespClient.Error(String message)) {
                    error = message;
                    outcome = type == Type.READ || message.startsWith("UNAVAILABLE") ? Outcome.FAIL
                        : Outcome.INDETERMINATE;
                } else {
                    outcome = Outcome.OK;
                    if (type == Type.READ) {
                        seen = reading.parse(reply);
                    }
                }
            } catch (IOException | RuntimeException e) {
                disconnect();
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
                boolean neverSent = e instanceof NotConnected;
                outcome = type == Type.READ || neverSent ? Outcome.FAIL : Outcome.INDETERMINATE;
            }
            Op op = new Op(opId, id, node, type, key, value, seen, opLevel, start, System.nanoTime(), outcome,
                error);
            history.add(op);
            return op;
        }

        private RespClient connection(String opLevel) throws IOException {
            if (connection == null) {
                try {
                    connection = new RespClient(NodeNetwork.address(node), ClusterNode.CLIENT_PORT,
                        REQUEST_TIMEOUT_MILLIS);
                } catch (IOException e) {
                    sleepNanos(200_000_000L);
                    throw new NotConnected(e.getMessage());
                }
                level = null;
            }
            if (!opLevel.equals(level)) {
                RespClient.Reply reply = connection.call("CONSISTENCY", opLevel);
                if (reply instanceof RespClient.Error(String message)) {
                    throw new NotConnected("CONSISTENCY " + opLevel + " refused: " + message);
                }
                level = opLevel;
            }
            return connection;
        }

        private void disconnect() {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }

    /** What a GETV returned: the context to write back and the sibling values. */
    static final class Reading {
        String context = "";

        /** @return the sibling values of a GETV reply (empty when the key is absent) */
        List<String> parse(RespClient.Reply reply) {
            if (reply instanceof RespClient.Array(List<RespClient.Reply> items) && items.size() == 2
                && items.get(0) instanceof RespClient.Text(String text)
                && items.get(1) instanceof RespClient.Array(List<RespClient.Reply> siblings)) {
                context = text;
                return siblings.stream().map(s -> s instanceof RespClient.Text(String v) ? v : "?").toList();
            }
            throw new IllegalStateException("GETV answered " + reply);
        }
    }

    /** A request that could not be sent: it cannot have had any effect. */
    private static final class NotConnected extends IOException {
        NotConnected(String message) {
            super("not connected: " + message);
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.ringkv.benchmarks;

import io.ringkv.api.CausalContext;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.node.RingkvNode;
import io.ringkv.replication.Coordinator;
import io.ringkv.replication.GetCallback;
import io.ringkv.replication.PutCallback;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one quorum write and one quorum read of a 1 KiB value, issued at node 1 of real nodes in this JVM
 * over Aeron on 127.0.0.1 ({@link InProcessCluster}), one request at a time. The request goes straight to node 1's
 * {@link Coordinator} on its agent thread, so the figure is the replication path (hand-off to the agent, the local
 * replica, the messages to the others, W or R answers, the callback) without the Redis-protocol front door.
 *
 * <p>{@code nodes=3}: N = 3, R = W = 2, so every answer needs one other node; {@code nodes=1}: a standalone node
 * (N = R = W = 1), the same path with no message on the network, which shows what replication costs. Setup writes
 * {@code keys} keys (100,000 by default); {@code quorumWrite} then writes a random one of them with the causal
 * context of its last write (so each write supersedes the previous one, as {@code SETV} does; a Redis {@code SET}
 * is a read and then this write), {@code quorumRead} reads a random one and checks it is there. {@code engine}
 * shows what durability costs: a replica on {@code lsm} forces its commit log (an fsync, on the agent thread)
 * before it acknowledges a write, {@code memory} keeps nothing. Node 1 prints its transport counters after loading
 * and at the end: a send refused as back-pressured goes again only at the coordinator's next retry (200 ms).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx2g"})
public class QuorumLatencyBenchmark {
    static final int VALUE_BYTES = 1024;
    /** Writes in flight while loading: more gains little on two cores and times more of them out. */
    private static final int LOAD_WINDOW = 4;
    private static final long LOAD_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int PROGRESS_EVERY = 25_000;

    @Param({"3", "1"})
    int nodes;

    @Param({"lsm", "memory"})
    String engine;

    /** Keys written in setup and then read and written at random (fewer for a quick check on a busy machine). */
    @Param({"100000"})
    int keys;

    private InProcessCluster cluster;
    private RingkvNode coordinatorNode;
    private Key[] names;
    /** Each key's context after its last write; touched only on node 1's agent thread. */
    private CausalContext[] contexts;
    private Value value;
    private final SplittableRandom random = new SplittableRandom(20261201);
    private final Answer answer = new Answer();
    private final Write writeTask = new Write();
    private final Read readTask = new Read();

    @Setup(Level.Trial)
    public void start() {
        byte[] bytes = new byte[VALUE_BYTES];
        random.nextBytes(bytes);
        value = Value.of(bytes);
        names = new Key[keys];
        contexts = new CausalContext[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = Key.utf8("key:" + i);
        }
        cluster = InProcessCluster.start(nodes, engine);
        coordinatorNode = cluster.node(0);
        try {
            load();
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        // sends the transport refused (back-pressured) come back after the coordinator's retry interval
        System.out.println("node 1's transport at the end: " + coordinatorNode.transport().counters());
        cluster.close();
    }

    /** One quorum write of a random key, answered after W replicas made it durable. */
    @Benchmark
    public void quorumWrite() {
        writeTask.index = random.nextInt(keys);
        request(writeTask);
    }

    /** One quorum read of a random key, answered after R replicas replied. */
    @Benchmark
    public void quorumRead() {
        readTask.index = random.nextInt(keys);
        request(readTask);
    }

    private void request(Consumer<Coordinator> task) {
        answer.reset();
        if (!coordinatorNode.submitToCoordinator(task)) {
            throw new IllegalStateException("node 1's agent task queue is full with one request in flight");
        }
        answer.await();
    }

    /**
     * Writes every key once, {@value #LOAD_WINDOW} at a time; writes again, one at a time and superseding what a
     * read finds, the keys whose first write failed (a busy machine times some out); then waits until node 1 has
     * nothing in flight.
     */
    private void load() {
        long began = System.nanoTime();
        long deadline = began + LOAD_TIMEOUT_NANOS;
        Loader loader = new Loader(Thread.currentThread());
        for (int i = 0; i < keys; i++) {
            if (i > 0 && i % PROGRESS_EVERY == 0) {
                System.out.printf("%d keys written in %.1f s%n", i, (System.nanoTime() - began) / 1e9);
            }
            loader.awaitBelow(LOAD_WINDOW, deadline);
            int index = i;
            loader.inFlight.incrementAndGet();
            if (!coordinatorNode.submitToCoordinator(coordinator -> loader.put(coordinator, index))) {
                throw new IllegalStateException("node 1's agent task queue is full while loading");
            }
        }
        loader.awaitBelow(1, deadline);
        int failed = loader.failed.size();
        for (Integer index : loader.failed) {
            rewrite(index, deadline);
        }
        // acknowledged writes still being copied to a third replica would be measured with the benchmark
        while (InProcessCluster.<Integer>ask(coordinatorNode,
            (coordinator, pending) -> pending.complete(coordinator.pendingRequests()), deadline) > 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        System.out.printf("%n%d nodes (%s): %d keys of %d bytes written in %.1f s (%d written again after a failure)%n",
            nodes, engine, keys, VALUE_BYTES, (System.nanoTime() - began) / 1e9, failed);
        System.out.println("node 1's transport after loading: " + coordinatorNode.transport().counters());
    }

    /** Reads key {@code index} and writes it superseding what the read found, as SET does; tries three times. */
    private void rewrite(int index, long deadline) {
        String failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            failure = InProcessCluster.ask(coordinatorNode, (coordinator, outcome) -> coordinator.get(names[index],
                new GetCallback() {
                    @Override
                    public void onSuccess(SiblingSet siblings) {
                        CausalContext seen = siblings.isEmpty() ? null : siblings.context();
                        coordinator.put(names[index], value, seen, new PutCallback() {
                            @Override
                            public void onSuccess(Version written) {
                                contexts[index] = new CausalContext(written.clock());
                                outcome.complete(null);
                            }

                            @Override
                            public void onFailure(ErrorCode code, String message) {
                                outcome.complete(code + " " + message);
                            }
                        });
                    }

                    @Override
                    public void onFailure(ErrorCode code, String message) {
                        outcome.complete(code + " " + message);
                    }
                }), deadline);
            if (failure == null) {
                return;
            }
        }
        throw new IllegalStateException("key " + index + " could not be written while loading: " + failure);
    }

    /** The loading pass: a window of first writes in flight; the keys whose write failed, for a second pass. */
    private final class Loader {
        final AtomicInteger inFlight = new AtomicInteger();
        final Queue<Integer> failed = new ConcurrentLinkedQueue<>();
        private final Thread waiter;

        Loader(Thread waiter) {
            this.waiter = waiter;
        }

        /** Agent thread. */
        void put(Coordinator coordinator, int index) {
            coordinator.put(names[index], value, null, new PutCallback() {
                @Override
                public void onSuccess(Version written) {
                    contexts[index] = new CausalContext(written.clock());
                    done();
                }

                @Override
                public void onFailure(ErrorCode code, String message) {
                    failed.add(index);
                    done();
                }
            });
        }

        private void done() {
            inFlight.decrementAndGet();
            LockSupport.unpark(waiter);
        }

        void awaitBelow(int limit, long deadline) {
            while (inFlight.get() >= limit) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("loading took longer than 10 minutes");
                }
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /** The measured write: node 1's agent runs it and its callback; one instance, reused. */
    private final class Write implements Consumer<Coordinator>, PutCallback {
        int index;

        @Override
        public void accept(Coordinator coordinator) {
            coordinator.put(names[index], value, contexts[index], this);
        }

        @Override
        public void onSuccess(Version written) {
            contexts[index] = new CausalContext(written.clock());
            answer.succeed();
        }

        @Override
        public void onFailure(ErrorCode code, String message) {
            answer.fail("write of key " + index + " failed: " + code + " " + message);
        }
    }

    /** The measured read: node 1's agent runs it and its callback; one instance, reused. */
    private final class Read implements Consumer<Coordinator>, GetCallback {
        int index;

        @Override
        public void accept(Coordinator coordinator) {
            coordinator.get(names[index], this);
        }

        @Override
        public void onSuccess(SiblingSet siblings) {
            if (siblings.isEmpty()) {
                answer.fail("read of key " + index + " found nothing, though setup wrote it");
            } else {
                answer.succeed();
            }
        }

        @Override
        public void onFailure(ErrorCode code, String message) {
            answer.fail("read of key " + index + " failed: " + code + " " + message);
        }
    }

    /**
     * The one request in flight: completed on node 1's agent thread, awaited on the benchmark thread by a short
     * spin and then a park (a benchmark thread spinning on two cores would take the time the nodes need).
     */
    static final class Answer {
        private static final int PENDING = 0;
        private static final int SUCCEEDED = 1;
        private static final int FAILED = 2;
        private static final int SPINS = 200;
        /** Far beyond the coordinator's 1 s timeout, after which it always answers. */
        private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

        private volatile int state;
        private volatile Thread waiter;
        private String failure;

        /** Benchmark thread, before the request is handed over. */
        void reset() {
            waiter = Thread.currentThread();
            state = PENDING;
        }

        void succeed() {
            state = SUCCEEDED;
            LockSupport.unpark(waiter);
        }

        void fail(String why) {
            failure = why;
            state = FAILED;
            LockSupport.unpark(waiter);
        }

        void await() {
            for (int i = 0; i < SPINS && state == PENDING; i++) {
                Thread.onSpinWait();
            }
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (state == PENDING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no answer within 10 s");
                }
                LockSupport.parkNanos(this, left);
            }
            if (state == FAILED) {
                throw new IllegalStateException(failure);
            }
        }
    }
}

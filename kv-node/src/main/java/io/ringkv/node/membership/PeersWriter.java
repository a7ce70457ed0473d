package io.ringkv.node.membership;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.KvException;
import io.ringkv.gossip.Gossiper;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Writes {@link PeersFile} on a thread of its own, so the agent thread that notices a membership change never
 * touches the disk: the agent hands over an immutable snapshot ({@link #save}, no lock, no wait) and the writer
 * writes the newest one. Snapshots that arrive while a write runs coalesce into one write of the latest.
 * {@link #close} writes what is still pending before it returns.
 */
public final class PeersWriter implements AutoCloseable {
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final Path dataDirectory;
    private final Consumer<String> events;
    private final AtomicReference<Gossiper.Remembered> pending = new AtomicReference<>();
    /** The newest leftovers mark to store ({@link LeftoversFile}), or null. */
    private final AtomicReference<Boolean> pendingLeftovers = new AtomicReference<>();
    /** Failed writes of the leftovers mark since the last that succeeded (writer thread only). */
    private long leftoversFailures;
    private final Counter writes;
    private final Counter failures;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Starts the writer thread ({@code ringkv-peers-writer}, a daemon).
     *
     * @param dataDirectory where {@code peers.state} lives
     * @param events receives a line for each failed write (from the writer thread)
     * @param counters the node's registry, where the writer counts its writes and failures
     */
    public PeersWriter(Path dataDirectory, Consumer<String> events, CounterRegistry counters) {
        this.dataDirectory = dataDirectory;
        this.events = events;
        this.writes = counters.register("peers_state_writes", "cluster member files (peers.state) written",
            CounterKind.COUNTER, "cluster");
        this.failures = counters.register("peers_state_write_failures",
            "writes of peers.state or leftovers.state that failed; a restart would start from the last saved view",
            CounterKind.COUNTER, "cluster");
        this.thread = Thread.ofPlatform().daemon().name("ringkv-peers-writer").start(this::run);
    }

    /** Hands over the newest view to write; returns at once, from any thread. */
    public void save(Gossiper.Remembered remembered) {
        pending.set(remembered);
        LockSupport.unpark(thread);
    }

    /**
     * Hands over this node's leftovers mark to store in {@link LeftoversFile}; returns at once, from any thread. A
     * write that fails is tried again every second until it succeeds or a newer mark replaces it: a mark lost to a
     * restart would let tombstones go that this node's old records still need.
     */
    public void saveLeftovers(boolean held) {
        pendingLeftovers.set(held);
        LockSupport.unpark(thread);
    }

    /** @return files written so far */
    public long writes() {
        return writes.get();
    }

    /** @return writes that failed so far (each also reported as an event) */
    public long failures() {
        return failures.get();
    }

    private void run() {
        while (true) {
            Boolean leftovers = pendingLeftovers.getAndSet(null);
            boolean retry = leftovers != null && !writeLeftovers(leftovers);
            if (retry) {
                pendingLeftovers.compareAndSet(null, leftovers);
            }
            Gossiper.Remembered next = pending.getAndSet(null);
            if (next != null) {
                write(next);
            }
            if (retry) {
                if (closed) {
                    return;
                }
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
            } else if (next == null && leftovers == null) {
                if (closed) {
                    return;
                }
                LockSupport.park(this);
            }
        }
    }

    private boolean writeLeftovers(boolean held) {
        try {
            LeftoversFile.store(dataDirectory, held);
            if (leftoversFailures > 0) {
                events.accept("stored this node's leftovers mark after " + leftoversFailures + " failed attempts");
                leftoversFailures = 0;
            }
            return true;
        } catch (KvException e) {
            // said once, not every second
            if (leftoversFailures++ == 0) {
                events.accept("could not store this node's leftovers mark (" + e.getMessage() + "); trying again"
                    + " every second");
            }
            failures.incrementRelease();
            return false;
        }
    }

    private void write(Gossiper.Remembered remembered) {
        try {
            PeersFile.store(dataDirectory, remembered);
            writes.incrementRelease();
        } catch (KvException e) {
            // the node keeps running on what it knows; the next change tries again
            failures.incrementRelease();
            events.accept("could not save the cluster members (" + e.getMessage() + "); a restart would start"
                + " from the last saved view");
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.MILLISECONDS.toMillis(CLOSE_WAIT_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

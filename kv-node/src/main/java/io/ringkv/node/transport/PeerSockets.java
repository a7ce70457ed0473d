package io.ringkv.node.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.nio.TransportPoller;

/**
 * Lets the agent thread sleep until a datagram reaches one of the media driver's sockets, or another thread of the
 * process wakes it, or a timeout passes. Aeron's driver only polls its sockets (a {@code recvfrom} per socket per
 * duty cycle, answered "nothing" almost every time), so without this an idle agent either keeps polling, which on
 * a shared machine takes the cores the node's other threads need, or parks blind to the network and answers a
 * peer late. Each endpoint the driver opens (the node's receiving port and its sockets to peers, which receive
 * status messages and retransmission requests) is registered here for reads; the driver still does all the
 * reading.
 *
 * <p>It also spares the driver its empty reads: each endpoint asks its {@link Watch} before it reads
 * ({@link Watch#mayReceive()}), and a watch lets a read through only when a select since its last read reported a
 * datagram. The agent selects once per duty cycle ({@link #pollReady()}, one {@code epoll_wait}), instead of the
 * driver's {@code recvfrom} per socket per cycle (three to five sockets on a node of a three-node cluster, each
 * answered "nothing" almost every time: a third of a busy agent's CPU). A datagram that lands just after the select
 * is read one cycle later. With two sockets (a pair of endpoints) the select costs about what the empty reads it
 * spares do, and lengthens each cycle of a quiet exchange (a 1 KiB round trip took 1.4 times as long), so the agent
 * does not select and every read goes through; nor with more than Aeron's pollers iterate over
 * ({@link #MOST_SOCKETS_TO_SELECT}), where they select themselves. A lone node (its receiving socket only: no peer
 * sent to yet) whose agent sleeps on these sockets ({@link #agentSleepsHere()}) selects once in
 * {@value #LONE_CYCLES_PER_SELECT} busy cycles and in every sleep, and once a read finds a datagram it reads again
 * each cycle until a read finds none: only a joining node's first datagrams, or a restarted member's peers' before
 * it sends them anything, reach such a socket, and they can wait that long. A lone node whose agent parks blind
 * (another idle strategy) reads every cycle, since nothing else would select for it.
 *
 * <p>{@link #await} runs on the agent thread; {@link #wakeup()} may be called from any thread, and a wake-up that
 * comes before the await makes it return at once (as a park's permit does). {@link #pollReady()} clears a wake-up
 * given before it, so the agent must call it before it looks at what other threads handed it (the transport's
 * housekeeping comes first in each cycle): a wake-up it cleared then announced work the cycle still finds.
 */
public final class PeerSockets implements AutoCloseable {
    /**
     * Up to this many watched sockets the driver reads every one each cycle: one select costs about as much as
     * one empty read ({@code epoll_wait} and {@code recvfrom} each about a microsecond on this kind of machine).
     */
    static final int MOST_SOCKETS_READ_WITHOUT_SELECT = 2;
    /**
     * Beyond this many watched sockets (the receiving one and more sending ones than Aeron's pollers iterate over)
     * the driver selects over its sending sockets itself, so a select of ours would spare nothing but the receiving
     * socket's one read, and would hold back a datagram that lands between the two selects for a cycle.
     */
    static final int MOST_SOCKETS_TO_SELECT = TransportPoller.ITERATION_THRESHOLD + 1;
    /**
     * A lone node (one socket watched: its receiving port, no peer sent to) whose agent sleeps on the sockets
     * selects once in this many busy cycles, and in every sleep. Little reaches it (see the class comment), and it
     * may wait that long (well under a millisecond under load); every other cycle it reads nothing and selects
     * nothing, where the driver read its socket every cycle (1.4 empty {@code recvfrom}s per request of one node
     * under load).
     */
    static final int LONE_CYCLES_PER_SELECT = 64;
    private static final System.Logger LOG = System.getLogger(PeerSockets.class.getName());

    private final Selector selector;
    /** A select failed: readiness is unknown from then on, so every read goes through (as with no watch at all). */
    private boolean selectFailed;
    /** Reads wait for a select's sighting, as of the last {@link #pollReady()} (false: every read goes through). */
    private boolean gating;
    /**
     * The last {@link #pollReady()} found one socket or none and the agent sleeps on them: its cycles cost no system
     * call, but one in {@value #LONE_CYCLES_PER_SELECT}.
     */
    private boolean lone;
    /** The agent sleeps on these sockets (its idle strategy selects on them), so a lone node may skip its reads. */
    private volatile boolean agentSleeps;
    /** Busy cycles of a lone node since its last select. */
    private int loneCycles;
    /** Reads a watch held back (an empty {@code recvfrom} spared, or a lone node's datagram left for later), for tests. */
    private long readsHeldBack;
    /** Set by a closed endpoint: its socket is released only once the selector lets its key go. */
    private volatile boolean endpointClosed;
    /** Serves the selected keys that are not a peer socket's (a front door's on this thread), or null. */
    private java.util.function.Consumer<SelectionKey> guests;
    /** The peer sockets registered and not closed: the selector's keys bar the guests'. */
    private int peerWatches;
    private final java.util.function.Consumer<SelectionKey> selected = this::markReady;

    PeerSockets() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the peer sockets", e);
        }
    }

    /**
     * Watches {@code channel}, a non-blocking socket the driver just opened, for arriving datagrams.
     *
     * @return what the socket's endpoint asks before each read, and tells when it closes
     */
    Watch register(DatagramChannel channel) {
        if (channel == null || !channel.isOpen()) {
            return new Watch(false);
        }
        Watch watch = new Watch(true);
        try {
            channel.register(selector, SelectionKey.OP_READ, watch);
            peerWatches++;
            return watch;
        } catch (ClosedChannelException | ClosedSelectorException e) {
            // closed between the check and now, or the transport is closing: nothing to watch, reads go through
            return new Watch(false);
        }
    }

    /**
     * Selects without waiting and marks the sockets that have a datagram, so their next read goes through; with
     * {@value #MOST_SOCKETS_READ_WITHOUT_SELECT} sockets it does not select, and every read goes through until a
     * cycle's select counts more; with one (a lone node) whose agent sleeps on the sockets it selects once in
     * {@value #LONE_CYCLES_PER_SELECT} calls, and without such an agent every read goes through.
     * Once per duty cycle, on the agent thread, before the agent looks at its other inputs (see the class comment).
     */
    public void pollReady() {
        if (selectFailed && guests == null) {
            return;
        }
        try {
            // a socket left unmarked while reads went through is marked by this select if it holds a datagram
            if (guests != null) {
                // a guest (a front door on this thread) needs a select every cycle, since its sockets have no other
                // reader; that select also marks the peer sockets, so their reads need not try blind
                selector.selectNow(selected);
                lone = false;
                gating = !selectFailed && peerWatches <= MOST_SOCKETS_TO_SELECT;
                return;
            }
            int watched = selector.keys().size();
            lone = watched <= 1 && agentSleeps;
            if (lone) {
                gating = true;
                if (++loneCycles >= LONE_CYCLES_PER_SELECT) {
                    loneCycles = 0;
                    selector.selectNow(selected);
                }
                return;
            }
            gating = watched > MOST_SOCKETS_READ_WITHOUT_SELECT && watched <= MOST_SOCKETS_TO_SELECT;
            if (gating) {
                selector.selectNow(selected);
            }
        } catch (IOException e) {
            // the driver goes back to reading every socket each cycle, so a datagram is never left unread for want
            // of a select; a guest's sockets have no other reader, so the select is tried again each cycle
            if (!selectFailed) {
                LOG.log(System.Logger.Level.WARNING, "cannot select on the peer sockets (" + e.getMessage()
                    + "); the media driver reads every socket on every duty cycle from now on"
                    + (guests == null ? "" : ", and the clients of the front door on the agent thread are served"
                    + " only when a select works again"));
            }
            selectFailed = true;
            gating = false;
        } catch (ClosedSelectorException e) {
            // closed with the transport: nothing is read any more
            selectFailed = true;
            gating = false;
        }
    }

    private void markReady(SelectionKey key) {
        if (key.attachment() instanceof Watch watch) {
            watch.ready = true;
        } else if (guests != null) {
            guests.accept(key);
        }
    }

    /**
     * Lets another reader on the agent thread (a front door) register its channels with this selector
     * ({@link #selector()}): every select, the agent's sleeps included, hands {@code handler} the ready keys that are
     * not a peer socket's, and from now on every duty cycle selects ({@link #pollReady()}), since those channels have
     * no other reader. Agent thread.
     */
    public void serveAlso(java.util.function.Consumer<SelectionKey> handler) {
        if (guests != null) {
            throw new IllegalStateException("the agent's selector serves a guest already");
        }
        this.guests = handler;
    }

    /** @return the selector the agent sleeps on, for {@link #serveAlso} */
    public Selector selector() {
        return selector;
    }

    /**
     * Lets go of the sockets of closed endpoints (a socket registered with a selector is closed only when the
     * selector next selects), so that a port is free again at once. Agent thread; costs a volatile read when none
     * closed.
     */
    void releaseClosed() {
        if (endpointClosed) {
            endpointClosed = false;
            try {
                selector.selectNow(selected);
                // the select took any wake-up given meanwhile: give it back, so the next sleep still ends at once
                selector.wakeup();
            } catch (IOException | ClosedSelectorException e) {
                // the next await selects again, or the transport is closing
            }
        }
    }

    /**
     * Says the agent sleeps on these sockets ({@link #await}), whose select then sees a lone node's datagrams: only
     * then may a lone node skip its reads between selects. Before the agent runs.
     */
    public void agentSleepsHere() {
        agentSleeps = true;
    }

    /**
     * @return whether the agent's duty cycles cost no system call for the sockets (a lone node, which selects once
     *     in {@value #LONE_CYCLES_PER_SELECT} cycles), as of the last {@link #pollReady()}: the idle strategy spins
     *     longer then. Agent thread only.
     */
    public boolean cyclesAreCheap() {
        return lone && !selectFailed;
    }

    /** @return how many reads the watches held back since the start (agent thread, or once it stopped) */
    long readsHeldBack() {
        return readsHeldBack;
    }

    /** @return the sockets watched, closed ones the selector has not let go of yet included */
    int watched() {
        return selector.keys().size();
    }

    /**
     * Sleeps until a watched socket has a datagram, {@link #wakeup()} is called, or about {@code nanos} pass
     * (whole milliseconds, at least one). Agent thread only.
     */
    public void await(long nanos) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
        try {
            selector.select(selected, millis);
        } catch (IOException | ClosedSelectorException e) {
            // a failing selector, or one closed with the transport by another thread, must not make the agent spin
            LockSupport.parkNanos(nanos);
        }
    }

    /** Ends the agent's current or next {@link #await} at once. Any thread. */
    public void wakeup() {
        selector.wakeup();
    }

    /**
     * One socket's readiness, as the selects saw it: its endpoint reads only when a select reported a datagram
     * since its last read. Agent thread only.
     */
    final class Watch {
        private final boolean gated;
        /** A select reported a datagram since the last read; true at first, so nothing waits for a first select. */
        private boolean ready = true;
        private boolean closed;

        private Watch(boolean gated) {
            this.gated = gated;
        }

        /**
         * @return whether the endpoint should read now: a select reported a datagram since its last read (or the
         *     socket is not watched, or the agent is not selecting); each true answer is used up by the read it
         *     allows
         */
        boolean mayReceive() {
            if (!gated || !gating) {
                return true;
            }
            boolean may = ready;
            ready = false;
            if (!may) {
                readsHeldBack++;
            }
            return may;
        }

        /**
         * Tells the watch what a read it allowed found: after a datagram a lone node reads again next cycle, so a
         * burst drains a datagram a cycle (and one empty read) instead of one per select.
         *
         * @return {@code from}, the sender of the datagram read, or null when none was
         */
        InetSocketAddress afterRead(InetSocketAddress from) {
            if (from != null && lone) {
                ready = true;
            }
            return from;
        }

        /** The endpoint closed its socket: the next {@link #releaseClosed()} lets the operating system have it back. */
        void closed() {
            if (gated && !closed) {
                closed = true;
                peerWatches--;
            }
            endpointClosed = true;
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
    }
}

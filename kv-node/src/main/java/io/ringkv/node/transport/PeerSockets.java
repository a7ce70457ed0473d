package io.ringkv.node.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets the agent thread sleep until a datagram reaches one of the media driver's sockets, or another thread of the
 * process wakes it, or a timeout passes. Aeron's driver only polls its sockets (a {@code recvfrom} per socket per
 * duty cycle, answered "nothing" almost every time), so without this an idle agent either keeps polling, which on
 * a shared machine takes the cores the node's other threads need, or parks blind to the network and answers a
 * peer late. Each endpoint the driver opens (the node's receiving port and its sockets to peers, which receive
 * status messages and retransmission requests) is registered here for reads; the driver still does all the
 * reading.
 *
 * <p>{@link #await} runs on the agent thread; {@link #wakeup()} may be called from any thread, and a wake-up that
 * comes before the await makes it return at once (as a park's permit does).
 */
public final class PeerSockets implements AutoCloseable {
    private final Selector selector;
    /** Set by a closed endpoint: its socket is released only once the selector lets its key go. */
    private volatile boolean endpointClosed;

    PeerSockets() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the peer sockets", e);
        }
    }

    /** Watches {@code channel}, a non-blocking socket the driver just opened, for arriving datagrams. */
    void register(DatagramChannel channel) {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        try {
            channel.register(selector, SelectionKey.OP_READ);
        } catch (ClosedChannelException | ClosedSelectorException e) {
            // closed between the check and now, or the transport is closing: nothing to watch
        }
    }

    /** An endpoint closed its socket: the next {@link #releaseClosed()} lets the operating system have it back. */
    void endpointClosed() {
        endpointClosed = true;
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
                selector.selectNow();
                selector.selectedKeys().clear();
                // the select took any wake-up given meanwhile: give it back, so the next sleep still ends at once
                selector.wakeup();
            } catch (IOException | ClosedSelectorException e) {
                // the next await selects again, or the transport is closing
            }
        }
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
            selector.select(millis);
            selector.selectedKeys().clear();
        } catch (IOException | ClosedSelectorException e) {
            // a failing selector, or one closed with the transport by another thread, must not make the agent spin
            LockSupport.parkNanos(nanos);
        }
    }

    /** Ends the agent's current or next {@link #await} at once. Any thread. */
    public void wakeup() {
        selector.wakeup();
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

package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What ends the agent's sleep on the peer sockets, and that a closed socket's port is free again. */
@Timeout(60)
class PeerSocketsTest {
    /** Far longer than any test may take: a sleep that ends did so because something woke it. */
    private static final long FOREVER_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final PeerSockets sockets = new PeerSockets();
    private final List<DatagramChannel> idle = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        sockets.close();
        for (DatagramChannel channel : idle) {
            channel.close();
        }
    }

    /**
     * Watches idle sockets beside the test's own until more are watched than the agent reads without a select, runs
     * a cycle's select, and uses up {@code watch}'s first read: from then on it reads only what a select saw.
     */
    private void startSelecting(PeerSockets.Watch watch) throws IOException {
        watchIdleSocketsBeyond(PeerSockets.MOST_SOCKETS_READ_WITHOUT_SELECT);
        sockets.pollReady();
        assertFalse(sockets.cyclesAreCheap(), "a cycle that selects was called cheap");
        assertTrue(watch.mayReceive(), "the first read must go through: nothing waits for a first sighting");
        assertFalse(watch.mayReceive(), "with " + sockets.watched() + " sockets a read went through that no select"
            + " allowed");
    }

    /**
     * Watches {@code channel} alone, as a lone node whose agent sleeps on its sockets, runs a cycle, and uses up its
     * first read: from then on it reads only what a select saw (or after a read that found a datagram).
     */
    private PeerSockets.Watch startLone(DatagramChannel channel) {
        sockets.agentSleepsHere();
        PeerSockets.Watch watch = sockets.register(channel);
        sockets.pollReady();
        assertTrue(sockets.cyclesAreCheap(), "a lone node's cycles make no system call for its socket");
        assertTrue(watch.mayReceive(), "the first read must go through: nothing waits for a first sighting");
        return watch;
    }

    private void watchIdleSocketsBeyond(int count) throws IOException {
        while (sockets.watched() <= count) {
            DatagramChannel channel = openOnLoopback(0);
            idle.add(channel);
            sockets.register(channel);
        }
    }

    /** Runs {@code await(FOREVER)} on a thread of its own and says whether it ended within 20 s. */
    private boolean sleepEnds(Runnable meanwhile) throws InterruptedException {
        Thread sleeper = Thread.ofPlatform().start(() -> sockets.await(FOREVER_NANOS));
        meanwhile.run();
        sleeper.join(TimeUnit.SECONDS.toMillis(20));
        return !sleeper.isAlive();
    }

    @Test
    void aWakeUpGivenBeforeTheSleepEndsItAtOnceAsAParksPermitDoes() throws InterruptedException {
        sockets.wakeup();
        if (!sleepEnds(() -> { })) {
            throw new AssertionError("a wake-up given before the sleep did not end it");
        }
    }

    @Test
    void aWakeUpFromAnotherThreadEndsTheSleep() throws InterruptedException {
        if (!sleepEnds(() -> {
            sleepBriefly();
            sockets.wakeup();
        })) {
            throw new AssertionError("the wake-up did not end the sleep");
        }
    }

    @Test
    void aDatagramToAWatchedSocketEndsTheSleepAndAnUnwatchedOneDoesNot() throws Exception {
        try (DatagramChannel watched = openOnLoopback(0); DatagramChannel unwatched = openOnLoopback(0);
             DatagramChannel peer = DatagramChannel.open()) {
            sockets.register(watched);
            Thread sleeper = Thread.ofPlatform().start(() -> sockets.await(FOREVER_NANOS));
            peer.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), unwatched.getLocalAddress());
            sleeper.join(500);
            if (!sleeper.isAlive()) {
                throw new AssertionError("a datagram to a socket nobody registered ended the sleep");
            }
            peer.send(ByteBuffer.wrap(new byte[] {4, 5, 6}), watched.getLocalAddress());
            sleeper.join(TimeUnit.SECONDS.toMillis(20));
            if (sleeper.isAlive()) {
                throw new AssertionError("the datagram to the watched socket did not end the sleep");
            }
        }
    }

    @Test
    void aWatchedSocketIsReadOnlyAfterASelectSawADatagramAndEachSightingAllowsOneRead() throws Exception {
        try (DatagramChannel watched = openOnLoopback(0); DatagramChannel peer = DatagramChannel.open()) {
            PeerSockets.Watch watch = sockets.register(watched);
            startSelecting(watch);
            sockets.pollReady();
            assertFalse(watch.mayReceive(), "a select that saw nothing allowed a read");

            peer.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), watched.getLocalAddress());
            awaitReadyByPolling(watch);
            assertFalse(watch.mayReceive(), "one sighting allowed two reads");
            // still unread: the next select sees the datagram again (level-triggered), so it is read a cycle later
            sockets.pollReady();
            assertTrue(watch.mayReceive(), "a datagram left unread was not seen by the next select");
            ByteBuffer into = ByteBuffer.allocate(16);
            assertTrue(watched.receive(into) != null);
            sockets.pollReady();
            assertFalse(watch.mayReceive(), "a select after the datagram was read still allowed a read");
        }
    }

    @Test
    void aDatagramThatEndsTheSleepAllowsTheNextRead() throws Exception {
        try (DatagramChannel watched = openOnLoopback(0); DatagramChannel peer = DatagramChannel.open()) {
            PeerSockets.Watch watch = sockets.register(watched);
            startSelecting(watch);
            peer.send(ByteBuffer.wrap(new byte[] {4, 5, 6}), watched.getLocalAddress());
            // the sleep's own select marks the socket: the cycle after it needs no select of its own to read it
            sockets.await(TimeUnit.SECONDS.toNanos(20));
            assertTrue(watch.mayReceive(), "the datagram that ended the sleep did not allow a read");
        }
    }

    @Test
    void aSocketThatCouldNotBeWatchedIsAlwaysRead() throws IOException {
        DatagramChannel closed = openOnLoopback(0);
        closed.close();
        PeerSockets.Watch watch = sockets.register(closed);
        for (int i = 0; i < 3; i++) {
            assertTrue(watch.mayReceive(), "a read of a socket nobody selects on was held back");
        }
    }

    @Test
    void onceASelectFailsEveryReadGoesThrough() throws IOException {
        try (DatagramChannel watched = openOnLoopback(0)) {
            PeerSockets.Watch watch = sockets.register(watched);
            startSelecting(watch);
            sockets.close();
            sockets.pollReady();
            for (int i = 0; i < 3; i++) {
                assertTrue(watch.mayReceive(), "with the selector gone, a read was still held back for a select");
            }
        }
    }

    @Test
    void withFewSocketsEveryReadGoesThroughUntilAThirdIsWatched() throws IOException {
        try (DatagramChannel watched = openOnLoopback(0); DatagramChannel other = openOnLoopback(0)) {
            PeerSockets.Watch watch = sockets.register(watched);
            sockets.register(other);
            for (int i = 0; i < 3; i++) {
                sockets.pollReady();
                assertFalse(sockets.cyclesAreCheap(), "a cycle that reads two sockets was called cheap");
                assertTrue(watch.mayReceive(), "with two sockets a read was held back for a select");
                assertTrue(watch.mayReceive(), "with two sockets a read was held back for a select");
            }
            startSelecting(watch);
        }
    }

    @Test
    void aGuestsSocketEndsTheSleepAndItsReadyKeyGoesToTheGuestNotToAWatch() throws Exception {
        try (DatagramChannel guest = openOnLoopback(0); DatagramChannel watched = openOnLoopback(0);
             DatagramChannel peer = DatagramChannel.open()) {
            PeerSockets.Watch watch = sockets.register(watched);
            List<Object> served = new java.util.concurrent.CopyOnWriteArrayList<>();
            sockets.serveAlso(key -> served.add(key.attachment()));
            guest.register(sockets.selector(), SelectionKey.OP_READ, "guest");
            assertTrue(sleepEnds(() -> send(peer, guest)), "a datagram to the guest's socket did not end the sleep");
            assertEquals(List.of("guest"), served, "the guest was not handed its ready key");
            // every cycle selects (a guest's sockets have no other reader), so the peer socket is read only when a
            // select saw a datagram on it: after its first read, which nothing holds back, none until one arrives
            sockets.pollReady();
            assertFalse(sockets.cyclesAreCheap(), "with a guest every cycle selects");
            assertTrue(watch.mayReceive(), "the first read must go through");
            assertFalse(watch.mayReceive(), "a read went through that no select allowed");
            send(peer, watched);
            awaitDelivered(watched);
            sockets.pollReady();
            assertTrue(watch.mayReceive(), "the cycle's select did not allow the read of the datagram waiting");
            assertEquals(List.of("guest", "guest", "guest"), served, "the guest's datagram, still unread, is served"
                + " by every select; the peer socket's is not the guest's");
        }
    }

    @Test
    void aLoneNodeWithAGuestSelectsEveryCycleSoTheGuestIsServedAtOnce() throws Exception {
        try (DatagramChannel watched = openOnLoopback(0); DatagramChannel guest = openOnLoopback(0);
             DatagramChannel peer = DatagramChannel.open()) {
            PeerSockets.Watch watch = startLone(watched);
            List<Object> served = new ArrayList<>();
            sockets.serveAlso(key -> served.add(key.attachment()));
            guest.register(sockets.selector(), SelectionKey.OP_READ, "guest");
            send(peer, guest);
            awaitDelivered(guest);
            // without the guest this lone node would not select again for another 63 cycles
            sockets.pollReady();
            assertEquals(List.of("guest"), served, "the cycle after the datagram did not serve the guest");
            assertFalse(sockets.cyclesAreCheap(), "a lone node with a guest called its cycles cheap");
            // the select of every cycle gates the peer socket's reads: nothing arrived for it
            assertFalse(watch.mayReceive(), "a read went through that no select allowed");
            // one guest: a second would take the first one's keys
            assertThrows(IllegalStateException.class, () -> sockets.serveAlso(key -> { }));
            sockets.pollReady();
            assertEquals(List.of("guest", "guest"), served, "the first guest still serves its key");
        }
    }

    private static void send(DatagramChannel from, DatagramChannel to) {
        try {
            from.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), to.getLocalAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aLoneSocketIsReadOnlyWhenTheSelectOfEveryFewCyclesOrASleepSawADatagram() throws Exception {
        try (DatagramChannel watched = openOnLoopback(0); DatagramChannel peer = DatagramChannel.open()) {
            PeerSockets.Watch watch = startLone(watched);
            peer.send(ByteBuffer.wrap(new byte[] {7, 8, 9}), watched.getLocalAddress());
            awaitDelivered(watched);
            // a busy lone node selects once in so many cycles (the first was the one above): the datagram waits
            for (int cycle = 2; cycle < PeerSockets.LONE_CYCLES_PER_SELECT; cycle++) {
                sockets.pollReady();
                assertFalse(watch.mayReceive(), "cycle " + cycle + " of a lone node read without a select");
            }
            sockets.pollReady();
            assertTrue(watch.mayReceive(), "the select of every " + PeerSockets.LONE_CYCLES_PER_SELECT
                + " cycles did not see the datagram waiting");
            assertFalse(watch.mayReceive(), "one sighting allowed two reads");
            // still unread: a sleep's select sees it at once, and the next cycle reads it
            sockets.await(TimeUnit.SECONDS.toNanos(20));
            sockets.pollReady();
            assertTrue(watch.mayReceive(), "the sleep's select did not allow the read of the datagram waiting");
            assertTrue(sockets.readsHeldBack() >= PeerSockets.LONE_CYCLES_PER_SELECT - 1,
                "held back " + sockets.readsHeldBack() + " reads");
        }
    }

    @Test
    void aLoneNodeReadsAgainEachCycleAfterAReadFoundADatagramUntilOneFindsNone() throws Exception {
        try (DatagramChannel watched = openOnLoopback(0); DatagramChannel peer = DatagramChannel.open()) {
            PeerSockets.Watch watch = startLone(watched);
            ByteBuffer into = ByteBuffer.allocate(16);
            assertNull(watch.afterRead((InetSocketAddress) watched.receive(into)));
            peer.send(ByteBuffer.wrap(new byte[] {1}), watched.getLocalAddress());
            peer.send(ByteBuffer.wrap(new byte[] {2}), watched.getLocalAddress());
            awaitDelivered(watched);
            // the sleep's select sees the burst; each read that finds a datagram lets the next cycle read again
            sockets.await(TimeUnit.SECONDS.toNanos(20));
            for (int datagram = 1; datagram <= 2; datagram++) {
                sockets.pollReady();
                assertTrue(watch.mayReceive(), "datagram " + datagram + " of the burst was held back");
                into.clear();
                assertNotNull(watch.afterRead((InetSocketAddress) watched.receive(into)),
                    "datagram " + datagram + " of the burst was not there to read");
            }
            sockets.pollReady();
            assertTrue(watch.mayReceive(), "the read after the burst's last datagram was held back");
            into.clear();
            assertNull(watch.afterRead((InetSocketAddress) watched.receive(into)));
            sockets.pollReady();
            assertFalse(watch.mayReceive(), "a read that found nothing still let the next cycle read");
        }
    }

    @Test
    void aLoneNodeWhoseAgentParksBlindReadsEveryCycle() throws IOException {
        try (DatagramChannel watched = openOnLoopback(0)) {
            PeerSockets.Watch watch = sockets.register(watched);
            for (int cycle = 0; cycle < PeerSockets.LONE_CYCLES_PER_SELECT + 1; cycle++) {
                sockets.pollReady();
                assertFalse(sockets.cyclesAreCheap(), "a cycle that reads its socket was called cheap");
                assertTrue(watch.mayReceive(), "cycle " + cycle + " of a lone node nobody selects for read nothing");
            }
        }
    }

    /** Waits until a datagram sent to {@code channel} is in its socket's receive queue, without taking it. */
    private static void awaitDelivered(DatagramChannel channel) throws IOException {
        try (Selector probe = Selector.open()) {
            // a selector of the test's own (a channel may be registered with several): the watch's own selects
            // must not run before the loop's
            channel.register(probe, SelectionKey.OP_READ);
            if (probe.select(TimeUnit.SECONDS.toMillis(20)) == 0) {
                throw new AssertionError("the datagram sent to the watched socket never arrived");
            }
        }
    }

    @Test
    void withMoreSocketsThanAeronIteratesOverEveryReadGoesThroughAsAeronSelectsItself() throws IOException {
        try (DatagramChannel watched = openOnLoopback(0)) {
            PeerSockets.Watch watch = sockets.register(watched);
            startSelecting(watch);
            watchIdleSocketsBeyond(PeerSockets.MOST_SOCKETS_TO_SELECT);
            sockets.pollReady();
            for (int i = 0; i < 3; i++) {
                assertTrue(watch.mayReceive(), "with " + sockets.watched() + " sockets a read was held back");
            }
        }
    }

    /** Selects until the datagram on its way is seen (loopback delivery is quick, but not part of send). */
    private void awaitReadyByPolling(PeerSockets.Watch watch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            sockets.pollReady();
            if (watch.mayReceive()) {
                return;
            }
            sleepBriefly();
        }
        throw new AssertionError("the datagram sent to the watched socket was never seen by a select");
    }

    /** A sleep that never ended would hold the test past its timeout. */
    @Test
    void aSleepEndsByItsTimeoutWhenNothingComes() {
        // whole milliseconds, at least one: a nanosecond's sleep is a millisecond's, not a sleep without end
        assertDoesNotThrow(() -> sockets.await(1));
        assertDoesNotThrow(() -> sockets.await(TimeUnit.MILLISECONDS.toNanos(5)));
    }

    @Test
    void aClosedSocketsPortIsFreeOnceTheClosedEndpointsAreReleased() throws IOException {
        int port;
        PeerSockets.Watch watch;
        try (DatagramChannel first = openOnLoopback(0)) {
            port = ((InetSocketAddress) first.getLocalAddress()).getPort();
            watch = sockets.register(first);
        }
        // registered with a selector, a closed channel keeps its socket until the selector lets the key go
        assertThrows(BindException.class, () -> openOnLoopback(port).close(),
            "the port is still held: the test would not show the release");
        watch.closed();
        sockets.releaseClosed();
        try (DatagramChannel again = openOnLoopback(port)) {
            assertFalse(again.socket().isClosed());
        }
    }

    private static DatagramChannel openOnLoopback(int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.bind(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

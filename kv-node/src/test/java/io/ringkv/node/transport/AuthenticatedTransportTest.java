package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.ringkv.api.MessageHeader;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.api.TransportCounter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transports in one JVM on 127.0.0.1: a and b share the cluster key; c has another key and d none. Each knows the
 * others as peers, so only the tag keeps c and d out.
 */
@Timeout(60)
class AuthenticatedTransportTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");
    private static final int SCHEMA = 77;

    @TempDir
    Path dataDirectory;

    private final ClusterKey key = ClusterKey.of(TestDatagrams.key(1));
    private final Map<NodeId, PeerAddress> addresses = Map.of(A, address(), B, address(), C, address(), D, address());
    private final List<AeronTransport> all = new ArrayList<>();
    private final List<String> receivedByB = new ArrayList<>();
    private AeronTransport a;
    private AeronTransport b;

    @BeforeEach
    void start() {
        a = start(A, key);
        b = start(B, key);
        b.register(SCHEMA, (sender, buffer, offset, length) ->
            receivedByB.add(sender + ":" + length + ":" + buffer.getByte(offset + length - 1)));
    }

    @AfterEach
    void stop() {
        all.forEach(AeronTransport::close);
    }

    @Test
    void nodesSharingTheKeyExchangeMessagesEvenInABurstKeptForLater() {
        assertTrue(a.isAuthenticated());
        deliver(a, B, message(8, 0), () -> receivedByB.size() == 1);
        receivedByB.clear();
        int burst = 1_000;
        for (int i = 0; i < burst; i++) {
            // no duty cycle meanwhile: most of the burst is kept and signed when it goes out
            assertEquals(SendResult.SENT, a.send(B, message(1024, i), 0, MessageHeader.LENGTH + 1024));
        }
        assertTrue(a.queuedSends() > 0, "the burst outran the window");
        pump(() -> receivedByB.size() == burst);
        for (int i = 0; i < burst; i++) {
            assertEquals("a:" + (MessageHeader.LENGTH + 1024) + ":" + (byte) i, receivedByB.get(i));
        }
        assertEquals(0, b.aeronCounter(AeronTransportCounter.DROPPED_BAD_TAG));
        assertEquals(0, b.aeronCounter(AeronTransportCounter.DROPPED_REPLAYED));
    }

    @Test
    void aNodeWithAnotherKeyOrNoneIsCountedAndNeverDelivered() {
        AeronTransport otherKey = start(C, ClusterKey.of(TestDatagrams.key(2)));
        AeronTransport noKey = start(D, null);
        for (int i = 0; i < 5; i++) {
            send(otherKey, message(8, i));
            send(noKey, message(8, i));
        }
        pump(() -> b.aeronCounter(AeronTransportCounter.DROPPED_BAD_TAG) == 10, otherKey, noKey);
        deliver(a, B, message(8, 99), () -> receivedByB.size() == 1);
        assertEquals(List.of("a:16:99"), receivedByB, "only the node with the key was heard");
        assertEquals(1, b.counters().value(TransportCounter.RECEIVED));
    }

    /**
     * A node that knows b twice, by its id and as a seed (by address only), once it has heard b, sends to the seed
     * through b's publication: one sequence numbers all its datagrams, and through a second publication a datagram
     * fell more than the replay window behind a burst to b and was refused as a replay.
     */
    @Test
    void sendsToASeedGoInOrderWithThoseToTheMemberAtItsAddress() {
        NodeId self = NodeId.of("s");
        NodeId seed = NodeId.of("seed-b");
        PeerAddress own = address();
        AeronTransport s = AeronTransport.start(TransportConfig.of(self, own, Map.of(B, addresses.get(B)),
            dataDirectory.resolve("s")).withClusterKey(key));
        all.add(s);
        // as the node's membership introduces the seeds of its configuration
        s.introduceSeed(new io.ringkv.api.Node(seed, addresses.get(B).host(), addresses.get(B).port(),
            addresses.get(B).port(), io.ringkv.api.Node.DEFAULT_ZONE, io.ringkv.api.Node.DEFAULT_RACK));
        List<String> receivedByS = new ArrayList<>();
        s.register(SCHEMA, (sender, buffer, offset, length) -> receivedByS.add(sender.value()));
        b.introduce(new io.ringkv.api.Node(self, own.host(), own.port(), 7379, "z", "r"));
        deliver(b, self, message(8, 0), () -> receivedByS.size() == 1);
        UnsafeBuffer first = message(8, 1);
        pump(() -> s.send(seed, first, 0, first.capacity()) == SendResult.SENT);
        pump(() -> receivedByB.size() == 1);
        receivedByB.clear();
        for (int i = 0; i < 601; i++) {
            UnsafeBuffer next = message(64, i);
            assertEquals(SendResult.SENT, s.send(i == 300 ? seed : B, next, 0, next.capacity()));
        }
        pump(() -> receivedByB.size() + b.aeronCounter(AeronTransportCounter.DROPPED_REPLAYED) >= 601);
        assertEquals(0, b.aeronCounter(AeronTransportCounter.DROPPED_REPLAYED));
        for (int i = 0; i < 601; i++) {
            assertEquals("s:" + (MessageHeader.LENGTH + 64) + ":" + (byte) i, receivedByB.get(i));
        }
    }

    @Test
    void aDatagramSentAgainIsCountedAsReplayedAndDeliveredOnce() {
        // the attacker re-sends a datagram a signed; it needs no key, only a copy of the bytes
        UnsafeBuffer datagram = signedByA(message(8, 7), AeronTransport.address(B.fingerprint(), b.generation()));
        offerToB(datagram, 3, () -> b.aeronCounter(AeronTransportCounter.DROPPED_REPLAYED) == 2);
        assertEquals(List.of("a:16:7"), receivedByB);
    }

    /**
     * A datagram sent before its sender heard the receiver names no receiver, so any node, and any later run of the
     * receiver, would take a copy: only gossip is taken so. Such a write is dropped, its sender is told by a hello who
     * listens, and what it sends next goes addressed.
     */
    @Test
    void aDatagramThatNamesNoReceiverIsDeliveredOnlyForGossipAndItsSenderIsToldWhoListens() {
        List<String> gossipByB = new ArrayList<>();
        int gossip = 78;
        b.registerOpen(gossip, (sender, buffer, offset, length) -> gossipByB.add(sender.value()));
        // an attacker's copy of a write a signed before it heard b: dropped, never delivered
        offerToB(signedByA(message(8, 5), PeerAuthentication.UNADDRESSED, 1), 1,
            () -> b.aeronCounter(AeronTransportCounter.DROPPED_UNADDRESSED) == 1);
        assertEquals(List.of(), receivedByB);
        // a copy of gossip sent so is taken: a replay cannot move gossip back
        UnsafeBuffer gossiped = message(8, 6);
        gossiped.putShort(4, (short) gossip, ByteOrder.LITTLE_ENDIAN);
        offerToB(signedByA(gossiped, PeerAuthentication.UNADDRESSED, 2), 1, () -> gossipByB.size() == 1);
        assertEquals(List.of("a"), gossipByB);
        // a's own write reaches b once a heard b's hello
        deliver(a, B, message(8, 7), () -> receivedByB.size() == 1);
        assertEquals(List.of("a:16:7"), receivedByB);
        assertTrue(a.aeronCounter(AeronTransportCounter.HELLOS_RECEIVED) >= 1);
    }

    /**
     * Sends other than gossip to a peer not heard yet wait for its hello, asked for, and then go addressed: none is
     * sent naming no receiver, so none is dropped for it (a forwarded write dropped so came back as a retransmission
     * a replica that had just started refused as perhaps written).
     */
    @Test
    void sendsToAPeerNotHeardYetWaitForItsHelloAndGoAddressedInOrder() {
        UnsafeBuffer first = message(8, 0);
        // the publication is made on the first send, and connects a moment later
        pump(() -> a.send(B, first, 0, first.capacity()) == SendResult.SENT);
        for (int i = 1; i < 3; i++) {
            UnsafeBuffer write = message(8, i);
            assertEquals(SendResult.SENT, a.send(B, write, 0, write.capacity()));
        }
        pump(() -> receivedByB.size() == 3);
        assertEquals(List.of("a:16:0", "a:16:1", "a:16:2"), receivedByB);
        assertEquals(0, b.aeronCounter(AeronTransportCounter.DROPPED_UNADDRESSED));
        assertTrue(a.aeronCounter(AeronTransportCounter.HELLOS_ASKED) >= 1);
        assertTrue(b.aeronCounter(AeronTransportCounter.HELLOS_SENT) >= 1);
    }

    @Test
    void aDatagramRecordedBeforeTheReceiverRestartedIsRefusedByItsNextRun() {
        // the next run's replay windows start empty: the copy was taken once more, a write deleted since with it
        UnsafeBuffer datagram = signedByA(message(8, 7), AeronTransport.address(B.fingerprint(), b.generation()));
        offerToB(datagram, 1, () -> receivedByB.size() == 1);
        restartB();
        offerToB(datagram, 1, () -> b.aeronCounter(AeronTransportCounter.DROPPED_BAD_TAG) == 1);
        assertEquals(List.of(), receivedByB);
    }

    @Test
    void aPeerThatHeardAnEarlierRunOfTheReceiverLearnsTheNewOneFromAHelloAndIsHeardAgain() {
        hearEachOtherThenRestartB();
        // a has nothing of b's new run: its datagrams fail their tag until b's hello tells it which run is current
        long[] lastSend = {0};
        pump(() -> {
            if (System.nanoTime() - lastSend[0] > 100_000_000L) {
                lastSend[0] = System.nanoTime();
                a.send(B, message(8, 2), 0, MessageHeader.LENGTH + 8);
            }
            return !receivedByB.isEmpty();
        });
        assertEquals("a:16:2", receivedByB.getFirst());
        assertTrue(b.aeronCounter(AeronTransportCounter.DROPPED_BAD_TAG) >= 1);
        assertTrue(b.aeronCounter(AeronTransportCounter.HELLOS_SENT) >= 1);
        assertTrue(a.aeronCounter(AeronTransportCounter.HELLOS_RECEIVED) >= 1);
    }

    @Test
    void twoNodesThatEachAddressAnEarlierRunOfTheOtherHearEachOtherAgain() {
        hearEachOtherThenRestartB();
        // a datagram of an earlier run of a, replayed to b's new run (its windows empty), makes b address that run
        // (not delivered: it names no receiver), while a still addresses b's earlier run. Hellos addressed as the
        // rest were refused both ways, for good; unaddressed ones (b's answer to the replay, or to a's datagrams
        // failing their tag) put both right
        offerToB(signedByA(message(8, 9), PeerAuthentication.UNADDRESSED), 1,
            () -> b.aeronCounter(AeronTransportCounter.DROPPED_UNADDRESSED) == 1);
        assertEquals(List.of(), receivedByB);
        long[] lastSend = {0};
        pump(() -> {
            if (System.nanoTime() - lastSend[0] > 100_000_000L) {
                lastSend[0] = System.nanoTime();
                a.send(B, message(8, 2), 0, MessageHeader.LENGTH + 8);
                b.send(A, message(8, 3), 0, MessageHeader.LENGTH + 8);
            }
            return !receivedByB.isEmpty() && a.counters().value(TransportCounter.DROPPED_UNKNOWN_SCHEMA) > 1;
        });
        assertEquals("a:16:2", receivedByB.getFirst());
    }

    /** a and b exchange a datagram each, so each addresses the other's run from then on; then b restarts. */
    private void hearEachOtherThenRestartB() {
        deliver(a, B, message(8, 0), () -> receivedByB.size() == 1);
        UnsafeBuffer fromB = message(8, 1);
        pump(() -> b.send(A, fromB, 0, fromB.capacity()) == SendResult.SENT);
        pump(() -> a.counters().value(TransportCounter.DROPPED_UNKNOWN_SCHEMA) == 1);
        restartB();
    }

    /** Stops b and starts its next run on the same address, with a greater generation, as a node restarts. */
    private void restartB() {
        long generation = b.generation();
        b.close();
        all.remove(b);
        receivedByB.clear();
        b = start(B, key);
        b.generation(generation + 1);
        b.register(SCHEMA, (sender, buffer, offset, length) ->
            receivedByB.add(sender + ":" + length + ":" + buffer.getByte(offset + length - 1)));
    }

    /**
     * Sends {@code message} from {@code from} to {@code to} and runs the transports until it is delivered: to a node
     * not heard yet it waits for that node's hello, then goes addressed.
     */
    private void deliver(AeronTransport from, NodeId to, UnsafeBuffer message, BooleanSupplier delivered) {
        pump(() -> from.send(to, message, 0, message.capacity()) == SendResult.SENT);
        pump(delivered);
    }

    /** @return a datagram as a signs it for {@code receiver}, generation 1, sequence 1 */
    private UnsafeBuffer signedByA(UnsafeBuffer message, long receiver) {
        return signedByA(message, receiver, 1);
    }

    /** @return a datagram as a signs it for {@code receiver}, generation 1 */
    private UnsafeBuffer signedByA(UnsafeBuffer message, long receiver, long sequence) {
        UnsafeBuffer envelope = new UnsafeBuffer(new byte[Envelope.LENGTH]);
        Envelope.write(envelope, A);
        Envelope.stamp(envelope, 1, sequence);
        new HmacAuthentication(key).sign(envelope, receiver, message, 0, message.capacity());
        UnsafeBuffer datagram = new UnsafeBuffer(new byte[Envelope.LENGTH + message.capacity()]);
        datagram.putBytes(0, envelope, 0, Envelope.LENGTH);
        datagram.putBytes(Envelope.LENGTH, message, 0, message.capacity());
        return datagram;
    }

    /**
     * Offers {@code datagram} to b {@code times} times from a raw Aeron client on a's driver (an attacker's copy),
     * then runs the transports until {@code until} holds.
     */
    private void offerToB(UnsafeBuffer datagram, int times, BooleanSupplier until) {
        try (Aeron raw = Aeron.connect(new Aeron.Context().aeronDirectoryName(TransportConfig.defaultAeronDirectory(A,
                 addresses.get(A), dataDirectory.resolve("a")).toString()))) {
            long registration = raw.asyncAddExclusivePublication(
                addresses.get(B).channel(TransportConfig.DEFAULT_TERM_LENGTH), AeronTransport.STREAM_ID);
            io.aeron.ExclusivePublication[] holder = new io.aeron.ExclusivePublication[1];
            pump(() -> (holder[0] = raw.getExclusivePublication(registration)) != null);
            for (int i = 0; i < times; i++) {
                pump(() -> holder[0].offer(datagram) > 0);
            }
            pump(until);
        }
    }

    @Test
    void encryptingNodesExchangeABurstAndATaggingNodeIsNotUnderstood() {
        AeronTransport sealing = start(C, key.encrypting());
        AeronTransport opening = start(D, key.encrypting());
        List<String> receivedByD = new ArrayList<>();
        opening.register(SCHEMA, (sender, buffer, offset, length) ->
            receivedByD.add(sender + ":" + length + ":" + buffer.getByte(offset + length - 1)));
        UnsafeBuffer first = message(8, 0);
        assertEquals(SendResult.NOT_CONNECTED, sealing.send(D, first, 0, first.capacity()),
            "sealed before the node named its generation");
        sealing.generation(11);
        opening.generation(12);
        deliver(sealing, D, first, () -> receivedByD.size() == 1);
        receivedByD.clear();
        int burst = 1_000;
        for (int i = 0; i < burst; i++) {
            assertEquals(SendResult.SENT, sealing.send(D, message(1024, i), 0, MessageHeader.LENGTH + 1024));
        }
        assertTrue(sealing.queuedSends() > 0, "the burst outran the window: kept sends are sealed when they go");
        pump(() -> receivedByD.size() == burst, sealing, opening);
        for (int i = 0; i < burst; i++) {
            assertEquals("c:" + (MessageHeader.LENGTH + 1024) + ":" + (byte) i, receivedByD.get(i));
        }
        // a node with the same key that only tags is refused by the encrypting one
        pump(() -> a.send(D, first, 0, first.capacity()) == SendResult.SENT, sealing, opening);
        pump(() -> opening.aeronCounter(AeronTransportCounter.DROPPED_BAD_TAG) >= 1, sealing, opening);
        assertEquals(burst, receivedByD.size());
        assertEquals(0, opening.aeronCounter(AeronTransportCounter.DROPPED_REPLAYED));
    }

    private AeronTransport start(NodeId id, ClusterKey clusterKey) {
        Map<NodeId, PeerAddress> peers = new java.util.HashMap<>(addresses);
        peers.remove(id);
        AeronTransport transport = AeronTransport.start(TransportConfig.of(id, addresses.get(id), peers,
            dataDirectory.resolve(id.value())).withClusterKey(clusterKey));
        all.add(transport);
        return transport;
    }

    private void send(AeronTransport from, UnsafeBuffer buffer) {
        pump(() -> from.send(B, buffer, 0, buffer.capacity()) == SendResult.SENT);
    }

    private void pump(BooleanSupplier until, AeronTransport... others) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!until.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 20 s; b counters " + b.counters());
            }
            for (AeronTransport transport : all) {
                transport.doWork();
            }
            Thread.onSpinWait();
        }
    }

    private static UnsafeBuffer message(int bodyLength, int last) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageHeader.LENGTH + bodyLength]);
        buffer.putShort(0, (short) bodyLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short) 1, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(4, (short) SCHEMA, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short) 1, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(buffer.capacity() - 1, (byte) last);
        return buffer;
    }

    private static PeerAddress address() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return new PeerAddress("127.0.0.1", socket.getLocalPort());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }
}

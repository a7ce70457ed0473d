package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.ringkv.api.KvException;
import io.ringkv.api.MessageHeader;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.api.TransportCounter;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two Aeron transports in one JVM on 127.0.0.1, driven from the test thread. */
@Timeout(60)
class AeronTransportTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int SCHEMA = 77;

    @TempDir
    Path dataDirectory;

    private AeronTransport a;
    private AeronTransport b;
    private PeerAddress addressB;
    private final List<String> receivedByB = new ArrayList<>();

    @BeforeEach
    void start() {
        PeerAddress addressA = new PeerAddress("127.0.0.1", freePort());
        addressB = new PeerAddress("127.0.0.1", freePort());
        a = AeronTransport.start(TransportConfig.of(A, addressA, Map.of(B, addressB), dataDirectory.resolve("a")));
        b = AeronTransport.start(TransportConfig.of(B, addressB, Map.of(A, addressA), dataDirectory.resolve("b")));
        b.register(SCHEMA, (sender, buffer, offset, length) ->
            receivedByB.add(sender + ":" + length + ":" + buffer.getByte(offset + length - 1)));
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void aLiveDriverOfAnotherProcessInTheDirectoryIsNamedAndAGoneOneIsNot() {
        Path directory = TransportConfig.defaultAeronDirectory(A, a.listenAddress(), dataDirectory.resolve("a"));
        // a's driver, as a process other than this one would see it (this JVM is alive and a's driver beats)
        String other = AeronTransport.otherDriver(directory, -1);
        assertNotNull(other);
        assertTrue(other.contains("process " + ProcessHandle.current().pid()), other);
        assertNull(AeronTransport.otherDriver(directory, ProcessHandle.current().pid()), "its own driver");
        a.close();
        assertNull(AeronTransport.otherDriver(directory, -1), "a driver closed (its directory deleted)");
    }

    @Test
    void aStallLongerThanTheTimeoutFailsTheTransportForGoodAndItSendsNothing() throws Exception {
        PeerAddress address = new PeerAddress("127.0.0.1", freePort());
        try (AeronTransport stalled = AeronTransport.start(TransportConfig.of(NodeId.of("c"), address,
            Map.of(B, addressB), dataDirectory.resolve("c")).withTimeoutNanos(TransportConfig.MIN_TIMEOUT_NANOS))) {
            stalled.doWork();
            assertFalse(stalled.hasFailed());
            // the agent thread stands still, as a process under SIGSTOP or a long GC pause does
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(TransportConfig.MIN_TIMEOUT_NANOS) + 1_000);
            for (int i = 0; i < 3 && !stalled.hasFailed(); i++) {
                stalled.doWork();
            }
            assertTrue(stalled.hasFailed(), "a stall past the timeout closes the Aeron client");
            assertTrue(stalled.failureReason().contains("2000 ms"), stalled.failureReason());
            UnsafeBuffer buffer = message(SCHEMA, 8);
            assertEquals(SendResult.CLOSED, stalled.send(B, buffer, 0, buffer.capacity()),
                "a failed transport sends nothing");
            assertEquals(0, stalled.doWork());
        }
    }

    @Test
    void aTimeoutOutsideItsRangeIsRefusedByName() {
        KvException error = assertThrows(KvException.class, () -> TransportConfig.of(A, addressB, Map.of(),
            dataDirectory).withTimeoutNanos(TimeUnit.SECONDS.toNanos(1)));
        assertTrue(error.getMessage().contains("transport timeout must be 2000–86400000 ms"), error.getMessage());
    }

    private static int freePort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump(BooleanSupplier until) {
        pump(() -> {
            a.doWork();
            b.doWork();
        }, until, () -> "; b counters " + b.counters());
    }

    /** Runs {@code cycle} until {@code until} holds, for at most 20 s; {@code state} says more when it does not. */
    private static void pump(Runnable cycle, BooleanSupplier until, Supplier<String> state) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!until.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 20 s" + state.get());
            }
            cycle.run();
            Thread.onSpinWait();
        }
    }

    private static UnsafeBuffer message(int schemaId, int bodyLength) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageHeader.LENGTH + bodyLength]);
        buffer.putShort(0, (short) bodyLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short) 1, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(4, (short) schemaId, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short) 1, ByteOrder.LITTLE_ENDIAN);
        if (bodyLength > 0) {
            buffer.putByte(buffer.capacity() - 1, (byte) 42);
        }
        return buffer;
    }

    /** Sends until the transport accepts: the first sends find the publication still connecting. */
    private void sendFromA(UnsafeBuffer buffer) {
        pump(() -> a.send(B, buffer, 0, buffer.capacity()) == SendResult.SENT);
    }

    /**
     * Runs {@code transport}'s sleep with no end but a wake-up while {@code meanwhile} runs on this thread, and says
     * whether it ended within 20 s.
     */
    private static boolean sleepEnds(AeronTransport transport, BooleanSupplier meanwhile) throws InterruptedException {
        Thread sleeper = Thread.ofPlatform().start(() -> transport.sockets().await(TimeUnit.MINUTES.toNanos(10)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sleeper.isAlive() && System.nanoTime() < deadline) {
            if (!meanwhile.getAsBoolean()) {
                Thread.onSpinWait();
            }
        }
        sleeper.join(TimeUnit.SECONDS.toMillis(20));
        return !sleeper.isAlive();
    }

    @Test
    void aPeersDatagramsEndATransportsSleepOnItsPeerPort() throws InterruptedException {
        sendFromA(message(SCHEMA, 100));
        pump(() -> !receivedByB.isEmpty());
        b.doWork();
        // b sleeps; a keeps sending to it (and its driver sends heartbeats): the datagrams reach b's peer port
        UnsafeBuffer more = message(SCHEMA, 10);
        assertTrue(sleepEnds(b, () -> {
            a.send(B, more, 0, more.capacity());
            return a.doWork() > 0;
        }), "a datagram to b's peer port did not end its sleep");
    }

    @Test
    void statusMessagesForAPublicationEndTheSendersSleep() throws InterruptedException {
        // a publishes to b, b never to a: all a's own sockets receive is b's status messages on a's socket to b
        sendFromA(message(SCHEMA, 100));
        pump(() -> !receivedByB.isEmpty());
        a.doWork();
        assertTrue(sleepEnds(a, () -> b.doWork() > 0), "b's status messages did not end a's sleep");
    }

    @Test
    void anIdleTransportsSleepLastsItsTimeout() {
        // no peer sends to b: a socket that stayed readable (or a wake-up never taken) would end every sleep at once
        b.doWork();
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            b.sockets().await(TimeUnit.MILLISECONDS.toNanos(20));
        }
        long slept = System.nanoTime() - start;
        assertTrue(slept >= TimeUnit.MILLISECONDS.toNanos(100), "five 20 ms sleeps took " + slept + " ns");
    }

    @Test
    void theSocketOfAClosedPublicationIsLetGoAtTheNextDutyCycleNotAtTheNextSleep() {
        sendFromA(message(SCHEMA, 100));
        pump(() -> !receivedByB.isEmpty());
        assertEquals(2, a.sockets().watched(), "a's peer port and its socket to b");
        // b moves: a forgets its publication, and the driver closes the socket once the publication's linger is over
        a.introduce(new Node(B, "127.0.0.1", freePort(), 7379, "z", "r"));
        pump(() -> a.sockets().watched() == 1);
    }

    @Test
    void aMessageReachesTheHandlerOfItsSchemaWithTheSenderNamed() {
        sendFromA(message(SCHEMA, 100));
        pump(() -> !receivedByB.isEmpty());
        assertEquals(List.of("a:108:42"), receivedByB);
    }

    /**
     * A burst larger than the path to the peer can take while the peer does not read (its receiver window) is kept
     * and sent in order on later duty cycles: nothing is refused, nothing lost, nothing reordered.
     */
    @Test
    void aBurstBeyondThePeersWindowIsKeptAndArrivesWholeAndInOrder() {
        sendFromA(message(SCHEMA, 8));
        pump(() -> receivedByB.size() == 1);
        receivedByB.clear();
        int burst = 2_000;
        for (int i = 0; i < burst; i++) {
            UnsafeBuffer buffer = message(SCHEMA, 1024);
            buffer.putByte(buffer.capacity() - 1, (byte) i);
            // neither side runs a duty cycle meanwhile: 2 MB cannot all fit the peer's window at once
            assertEquals(SendResult.SENT, a.send(B, buffer, 0, buffer.capacity()), "send " + i);
        }
        assertTrue(a.queuedSends() > 0, "the burst outran the window");
        pump(() -> receivedByB.size() == burst);
        for (int i = 0; i < burst; i++) {
            assertEquals("a:" + (MessageHeader.LENGTH + 1024) + ":" + (byte) i, receivedByB.get(i), "message " + i);
        }
        assertEquals(0, a.counters().value(TransportCounter.BACK_PRESSURED));
    }

    /**
     * With two peers a transport watches more sockets than it reads without a select, so the driver reads each only
     * when a select saw a datagram on it: bursts beyond the window both ways (status messages arriving on the
     * sending sockets) still arrive whole and in order at every node.
     */
    @Test
    void betweenThreeNodesBurstsBeyondTheWindowArriveWholeAndInOrderThoughSocketsAreReadOnlyWhenSeen() {
        List<NodeId> ids = List.of(NodeId.of("x"), NodeId.of("y"), NodeId.of("z"));
        Map<NodeId, PeerAddress> addresses = new HashMap<>();
        for (NodeId id : ids) {
            addresses.put(id, new PeerAddress("127.0.0.1", freePort()));
        }
        Map<NodeId, AeronTransport> nodes = new LinkedHashMap<>();
        Map<NodeId, List<String>> received = new HashMap<>();
        try {
            for (NodeId id : ids) {
                Map<NodeId, PeerAddress> peers = new HashMap<>(addresses);
                peers.remove(id);
                AeronTransport node = AeronTransport.start(TransportConfig.of(id, addresses.get(id), peers,
                    dataDirectory.resolve(id.toString())));
                nodes.put(id, node);
                List<String> into = new ArrayList<>();
                received.put(id, into);
                node.register(SCHEMA, (sender, buffer, offset, length) ->
                    into.add(sender + ":" + buffer.getInt(offset + MessageHeader.LENGTH)));
            }
            Runnable cycle = () -> nodes.values().forEach(AeronTransport::doWork);
            int burst = 600;
            for (NodeId from : ids) {
                for (NodeId to : ids) {
                    if (!from.equals(to)) {
                        // the first send finds the publication connecting
                        UnsafeBuffer first = message(SCHEMA, 1024);
                        first.putInt(MessageHeader.LENGTH, -1);
                        pump(cycle, () -> nodes.get(from).send(to, first, 0, first.capacity()) == SendResult.SENT,
                            () -> "; " + from + " could not send to " + to);
                    }
                }
            }
            pump(cycle, () -> received.values().stream().allMatch(list -> list.size() == 2),
                () -> "; received " + received);
            received.values().forEach(List::clear);
            for (int i = 0; i < burst; i++) {
                for (NodeId from : ids) {
                    for (NodeId to : ids) {
                        if (!from.equals(to)) {
                            UnsafeBuffer buffer = message(SCHEMA, 1024);
                            buffer.putInt(MessageHeader.LENGTH, i);
                            assertEquals(SendResult.SENT, nodes.get(from).send(to, buffer, 0, buffer.capacity()));
                        }
                    }
                }
            }
            for (AeronTransport node : nodes.values()) {
                assertTrue(node.sockets().watched() > PeerSockets.MOST_SOCKETS_READ_WITHOUT_SELECT,
                    "a node of three reads its sockets without a select: " + node.sockets().watched());
            }
            pump(cycle, () -> received.values().stream().allMatch(list -> list.size() == 2 * burst),
                () -> "; received " + received.values().stream().map(List::size).toList());
            for (AeronTransport node : nodes.values()) {
                assertTrue(node.sockets().readsHeldBack() > 0, "the driver read no socket through its watch");
            }
            for (NodeId to : ids) {
                for (NodeId from : ids) {
                    if (!from.equals(to)) {
                        List<String> fromOne = received.get(to).stream().filter(m -> m.startsWith(from + ":")).toList();
                        for (int i = 0; i < burst; i++) {
                            assertEquals(from + ":" + i, fromOne.get(i), to + " got out of order from " + from);
                        }
                    }
                }
            }
        } finally {
            nodes.values().forEach(AeronTransport::close);
        }
    }

    @Test
    void aTenKibValueWithHeadersCrossesInOneMessage() {
        sendFromA(message(SCHEMA, 10 * 1024 + 200));
        pump(() -> !receivedByB.isEmpty());
        assertEquals(List.of("a:" + (MessageHeader.LENGTH + 10 * 1024 + 200) + ":42"), receivedByB);
    }

    @Test
    void unknownSchemasAreCountedAndDropped() {
        sendFromA(message(SCHEMA + 1, 8));
        sendFromA(message(SCHEMA, 8));
        pump(() -> !receivedByB.isEmpty());
        var counters = b.counters();
        assertEquals(1, counters.value(TransportCounter.DROPPED_UNKNOWN_SCHEMA));
        assertEquals(1, counters.value(TransportCounter.RECEIVED));
    }

    @Test
    void aHandlerThatCannotDecodeAMessageCountsItAsMalformed() {
        b.register(SCHEMA + 2, (sender, buffer, offset, length) -> {
            throw new IndexOutOfBoundsException("truncated body");
        });
        sendFromA(message(SCHEMA + 2, 4));
        sendFromA(message(SCHEMA, 8));
        pump(() -> !receivedByB.isEmpty());
        assertEquals(1, b.counters().value(TransportCounter.DROPPED_MALFORMED));
    }

    @Test
    void garbageTruncatedFramesAndStrangersAreCountedAndDropped() {
        // a raw Aeron client on a's media driver: it writes datagrams without ringkv's envelope rules
        try (Aeron raw = Aeron.connect(new Aeron.Context().aeronDirectoryName(
                 TransportConfig.defaultAeronDirectory(A, a.listenAddress(), dataDirectory.resolve("a")).toString()))) {
            long registration = raw.asyncAddPublication(addressB.channel(TransportConfig.DEFAULT_TERM_LENGTH),
                AeronTransport.STREAM_ID);
            Publication[] holder = new Publication[1];
            pump(() -> (holder[0] = raw.getPublication(registration)) != null);
            Publication publication = holder[0];
            UnsafeBuffer garbage = new UnsafeBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                17, 18, 19, 20, 21});
            pump(() -> publication.offer(garbage) > 0);
            UnsafeBuffer truncated = new UnsafeBuffer(new byte[Envelope.LENGTH + 3]);
            Envelope.write(truncated, A);
            pump(() -> publication.offer(truncated) > 0);
            UnsafeBuffer stranger = new UnsafeBuffer(new byte[Envelope.LENGTH + MessageHeader.LENGTH + 8]);
            Envelope.write(stranger, NodeId.of("stranger"));
            stranger.putBytes(Envelope.LENGTH, message(SCHEMA, 8), 0, MessageHeader.LENGTH + 8);
            pump(() -> publication.offer(stranger) > 0);
            pump(() -> b.aeronCounter(AeronTransportCounter.DROPPED_UNKNOWN_ENVELOPE) == 2
                && b.counters().value(TransportCounter.DROPPED_UNKNOWN_SENDER) == 1);
        }
        assertTrue(receivedByB.isEmpty());
        sendFromA(message(SCHEMA, 8));
        pump(() -> !receivedByB.isEmpty());
    }

    @Test
    void theBufferJoiningAStreamsLongMessagesIsLetGoWhenTheStreamEnds() {
        // anyone who can reach the peer port can open streams, each with a message of many datagrams and no key:
        // the buffer that joined it stayed for good, a stream at a time, until the heap ran out
        int streams = 3;
        try (Aeron raw = Aeron.connect(new Aeron.Context().aeronDirectoryName(
                 TransportConfig.defaultAeronDirectory(A, a.listenAddress(), dataDirectory.resolve("a")).toString()))) {
            List<ExclusivePublication> publications = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                long registration = raw.asyncAddExclusivePublication(
                    addressB.channel(TransportConfig.DEFAULT_TERM_LENGTH), AeronTransport.STREAM_ID);
                ExclusivePublication[] holder = new ExclusivePublication[1];
                pump(() -> (holder[0] = raw.getExclusivePublication(registration)) != null);
                publications.add(holder[0]);
            }
            // several datagrams at the default MTU (1,408 bytes)
            UnsafeBuffer longMessage = new UnsafeBuffer(new byte[8 * 1024]);
            for (ExclusivePublication publication : publications) {
                pump(() -> publication.offer(longMessage) > 0);
            }
            pump(() -> b.aeronCounter(AeronTransportCounter.DROPPED_UNKNOWN_ENVELOPE) == streams);
            assertEquals(0, b.aeronCounter(AeronTransportCounter.REASSEMBLY_BUFFERS_FREED), "the streams are open");
            publications.forEach(ExclusivePublication::close);
            pump(() -> b.aeronCounter(AeronTransportCounter.REASSEMBLY_BUFFERS_FREED) == streams);
        }
        sendFromA(message(SCHEMA, 8));
        pump(() -> !receivedByB.isEmpty());
    }

    /**
     * A datagram shorter than an Aeron data header used to reach the receiver, which read the missing header
     * fields (session, stream, term) from the previous datagram still in its buffer and then copied a negative
     * length into the image: an IndexOutOfBoundsException per datagram. Such frames are now a counted drop.
     */
    @Test
    void shortAndRandomDatagramsToThePeerPortAreCountedDropsAndValidMessagesStillArrive() throws Exception {
        sendFromA(message(SCHEMA, 100));
        pump(() -> receivedByB.size() == 1);
        int sent = 0;
        try (DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", addressB.port());
            for (int batch = 0; batch < 8; batch++) {
                for (int i = 0; i < 32; i++) {
                    attacker.send(new DatagramPacket(shortDataFrame(1024 + 32 * (batch * 32 + i)), 12, target));
                    sent++;
                }
                probe();
            }
            java.util.Random random = new java.util.Random(12);
            for (int batch = 0; batch < 8; batch++) {
                for (int i = 0; i < 32; i++) {
                    byte[] garbage = new byte[8 + random.nextInt(120)];
                    random.nextBytes(garbage);
                    garbage[4] = 0; // Aeron's frame version, so the frame passes Aeron's own first check
                    garbage[6] = (byte) random.nextInt(8);
                    garbage[7] = 0;
                    attacker.send(new DatagramPacket(garbage, garbage.length, target));
                }
                probe();
            }
        }
        assertEquals(0, b.aeronErrors(), "no datagram may raise an error inside the transport");
        assertTrue(b.droppedInvalidFrames() >= sent, "every short data frame is counted, got "
            + b.droppedInvalidFrames() + " of " + sent);
        assertEquals(1 + 16, receivedByB.size(), "every valid message arrived");
    }

    /** Sends a valid message and waits for it, so every datagram sent before it has been handled. */
    private void probe() {
        int before = receivedByB.size();
        sendFromA(message(SCHEMA, 8));
        pump(() -> receivedByB.size() == before + 1);
    }

    /** The first 12 bytes of an Aeron data frame header (length, version 0, flags, type DATA, term offset). */
    private static byte[] shortDataFrame(int termOffset) {
        ByteBuffer frame = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(0, 64).put(4, (byte) 0).put(5, (byte) 0xC0).putShort(6, (short) 1).putInt(8, termOffset);
        return frame.array();
    }

    @Test
    void sendsToUnknownNodesAndOversizeMessagesAreRefusedAndCounted() {
        UnsafeBuffer small = message(SCHEMA, 8);
        assertEquals(SendResult.UNKNOWN_DESTINATION, a.send(NodeId.of("nobody"), small, 0, small.capacity()));
        sendFromA(small);
        UnsafeBuffer huge = message(SCHEMA, TransportConfig.DEFAULT_TERM_LENGTH / 8);
        assertEquals(SendResult.TOO_LARGE, a.send(B, huge, 0, huge.capacity()));
        assertEquals(1, a.counters().value(TransportCounter.UNKNOWN_DESTINATION));
        assertEquals(1, a.counters().value(TransportCounter.TOO_LARGE));
    }

    @Test
    void sendersThatAreNotMembersAreBoundedAndTheOldestIsForgottenFirst() {
        int made = AeronTransport.MAX_SENDERS + 40;
        UnsafeBuffer small = message(SCHEMA, 8);
        // a port nothing answers on: the strangers' answers go nowhere
        int nowhere = freePort();
        for (int i = 0; i < made; i++) {
            NodeId stranger = NodeId.of("made-up-" + i);
            a.introduceSender(new Node(stranger, "127.0.0.1", nowhere, nowhere, "z", "r"));
            // an answer creates the stranger's publication: what a stream of Syns from made-up ids would cost
            a.send(stranger, small, 0, small.capacity());
            a.doWork();
        }
        assertEquals(1 + AeronTransport.MAX_SENDERS, a.peerCount());
        // the media driver lets go of the forgotten strangers' publications too, made or still being made
        pump(() -> a.driverPublications() <= 1 + AeronTransport.MAX_SENDERS);
        assertEquals(40, a.aeronCounter(AeronTransportCounter.FORGOTTEN_SENDERS));
        assertEquals(SendResult.UNKNOWN_DESTINATION, a.send(NodeId.of("made-up-0"), small, 0, small.capacity()));
        assertEquals(SendResult.UNKNOWN_DESTINATION, a.send(NodeId.of("made-up-39"), small, 0, small.capacity()));
        assertTrue(a.isKnown(NodeId.of("made-up-40")));
        assertTrue(a.isKnown(NodeId.of("made-up-" + (made - 1))));
        // the configured member is never among them, and still hears from a
        sendFromA(small);
        pump(() -> !receivedByB.isEmpty());
    }

    @Test
    void aSenderMadeAMemberNoLongerCountsAgainstTheSenders() {
        a.introduceSender(new Node(NodeId.of("joining"), "127.0.0.1", 7, 7, "z", "r"));
        a.introduce(new Node(NodeId.of("joining"), "127.0.0.1", 7, 7, "z", "r"));
        for (int i = 0; i < AeronTransport.MAX_SENDERS; i++) {
            a.introduceSender(new Node(NodeId.of("stranger-" + i), "127.0.0.1", 8, 8, "z", "r"));
        }
        assertEquals(0, a.aeronCounter(AeronTransportCounter.FORGOTTEN_SENDERS), "the member took a sender's place");
    }

    @Test
    void aSenderNotMadeAMemberIsForgottenAfterItsAgeAndAMemberIsKept() {
        NodeId joining = NodeId.of("joining");
        NodeId stranger = NodeId.of("stranger");
        a.introduceSender(new Node(joining, "127.0.0.1", 7, 7, "z", "r"));
        a.introduceSender(new Node(stranger, "127.0.0.1", 8, 8, "z", "r"));
        // gossip applied the joining node's state: it is a member from now on
        a.introduce(new Node(joining, "127.0.0.1", 7, 7, "z", "r"));
        a.forgetSendersIntroducedBefore(System.nanoTime() + 2 * AeronTransport.SENDER_AGE_NANOS);
        assertTrue(a.isKnown(joining));
        assertFalse(a.isKnown(stranger));
        assertTrue(a.isKnown(B));
        assertEquals(1, a.aeronCounter(AeronTransportCounter.FORGOTTEN_SENDERS));
        // a later message from the stranger introduces it again
        a.introduceSender(new Node(stranger, "127.0.0.1", 8, 8, "z", "r"));
        assertTrue(a.isKnown(stranger));
    }

    @Test
    void peerIdsThatCollideOrIncludeTheNodeItselfAreRejected() {
        assertThrows(KvException.class, () -> TransportConfig.of(A, addressB, Map.of(A, addressB), dataDirectory));
    }
}

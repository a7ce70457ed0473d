package io.ringkv.node.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.exceptions.AeronException;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.MessageHandler;
import io.ringkv.api.MessageHeader;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.api.Transport;
import io.ringkv.api.TransportCounter;
import io.ringkv.node.metrics.ThrottledLog;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The production {@link Transport}: SBE messages over Aeron UDP. Each node embeds a media driver in
 * {@link ThreadingMode#INVOKER} mode, so the driver's and the client's duty cycles run inside {@link #doWork()} on
 * the node's agent thread: one thread per node, nothing spinning on its own. One subscription receives from every
 * peer; one exclusive publication per peer is created on first send and survives the peer's restarts (Aeron
 * reconnects it when the peer's new driver answers).
 *
 * <p>Pauses. Aeron's client and driver judge each other by heartbeats that only the agent thread writes, so a stall
 * of that thread (a long GC pause, SIGSTOP, a frozen VM or container) looks to each like the other died. Both
 * timeouts are the configured {@link TransportConfig#timeoutNanos()}, ten minutes by default instead of Aeron's
 * ten seconds: with driver and client in one process and on one thread, neither can die without the other, so a
 * long timeout costs nothing. A stall longer than that closes the Aeron client for good; the transport then
 * {@linkplain #hasFailed() has failed}, sends nothing and reports why, and the node must stop serving and exit
 * rather than live on answering every request with an error.
 *
 * <p>Authentication. With a {@linkplain TransportConfig#clusterKey() cluster key} every datagram carries a tag
 * ({@link HmacAuthentication}) made for its receiver's run ({@link #address}), and the node's generation and a
 * sequence; a datagram whose tag no key of the cluster made for this run, or that the receiver saw before, is dropped
 * and counted before any handler sees it.
 * Without a key datagrams carry a zero tag and every one is taken as sent. With a key that
 * {@linkplain ClusterKey#encrypts() encrypts}, the message travels encrypted with AES-256-GCM and the tag is GCM's
 * ({@link AeadEncryption}); nothing is sent before the node {@linkplain #generation names its generation}.
 */
public final class AeronTransport implements Transport, AutoCloseable {
    static final int STREAM_ID = 1001;
    /**
     * The transport's own message, a bare SBE header: it tells a peer this node's generation when the peer's
     * datagrams were made for an earlier run of it (see {@link #address}). No module may register this schema.
     */
    static final int HELLO_SCHEMA_ID = 0x7F00;
    /** A node says hello to one peer at most this often, however many of its datagrams fail. */
    private static final long HELLO_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A media driver that beat this recently is live, at least (Aeron's own driver timeout). */
    static final long DRIVER_ACTIVE_MILLIS = 10_000;
    /** The hello's template that says hello only; {@link #HELLO_ASK} also asks the peer to say hello back. */
    private static final int HELLO_SAY = 1;
    private static final int HELLO_ASK = 2;
    /** A node asks a peer it has not heard to say hello at most this often while sends to it wait. */
    private static final long HELLO_ASK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long sends to a peer not heard yet wait for its hello before they are dropped (counted): the protocols'
     * retries send them again, and a peer that cannot answer for this long is as good as unreachable.
     */
    private static final long HOLD_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Aeron's own defaults keep the publication unblock timeout 5 s above the client liveness timeout. */
    private static final long UNBLOCK_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int FRAGMENT_LIMIT = 64;
    private static final System.Logger LOG = System.getLogger(AeronTransport.class.getName());

    private final TransportConfig config;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final Subscription subscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    /** A peer's backlog starts this small and grows to {@link #BACKLOG_MAX_BYTES}, beyond which sends are refused. */
    private static final int BACKLOG_INITIAL_BYTES = 64 * 1024;
    private static final int BACKLOG_MAX_BYTES = 8 * 1024 * 1024;
    /** Senders that are not members kept at once (see {@link #introduceSender}). */
    static final int MAX_SENDERS = 64;
    /** How long a sender may stay unintroduced as a member before it is forgotten. */
    static final long SENDER_AGE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long SENDER_SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private final Map<NodeId, Peer> peers = new HashMap<>();
    /** Peers introduced as senders only, not members. */
    private int senders;
    private long nextSenderSweepNanos = System.nanoTime() + SENDER_SWEEP_INTERVAL_NANOS;
    /** Peers with kept sends, sent on each duty cycle until their backlog is empty. */
    private final java.util.List<Peer> backlogged = new java.util.ArrayList<>();
    private final Long2ObjectHashMap<NodeId> peersByHash = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<MessageHandler> handlers = new Int2ObjectHashMap<>();
    private final org.agrona.collections.IntHashSet openSchemas = new org.agrona.collections.IntHashSet();
    private final UnsafeBuffer envelope = new UnsafeBuffer(ByteBuffer.allocateDirect(Envelope.LENGTH));
    private final PeerAuthentication authentication;
    private final long selfHash;
    /** This run of the node: receivers refuse datagrams of an older one. */
    private long generation;
    /** The node named its persisted generation: encryption's nonces depend on it, so nothing is sealed before. */
    private boolean generationNamed;
    /** Where a sealed message is, and where an opened one is, when datagrams are encrypted. */
    private final UnsafeBuffer sealed = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer opened = new UnsafeBuffer(new byte[0]);
    /** A bare SBE header of the transport's own schema. */
    private final UnsafeBuffer hello = helloMessage(HELLO_SAY);
    private final UnsafeBuffer helloAsk = helloMessage(HELLO_ASK);
    /**
     * One sequence for every destination: a receiver sees gaps, which its replay window allows. It starts at a random
     * point below 2^62, so that two runs that ever share a generation (two processes started with one id in one
     * second, a data directory restored under a clock that lags) do not share sequences: encryption's nonces are
     * generation and sequence.
     */
    private long sequence = new java.security.SecureRandom().nextLong(1L << 62);
    private final CounterSet<TransportCounter> counters;
    private final CounterSet<AeronTransportCounter> aeronCounters;
    private final ThrottledLog errorLog = new ThrottledLog(LOG, ThrottledLog.DEFAULT_INTERVAL_NANOS, System::nanoTime);
    private final PeerSockets sockets;
    private boolean closed;
    private String lastError = "none";
    private String failure;

    private AeronTransport(TransportConfig config, CounterRegistry registry, PeerSockets sockets) {
        this.config = config;
        this.sockets = sockets;
        this.counters = registry.register(TransportCounter.class);
        this.aeronCounters = registry.register(AeronTransportCounter.class);
        Envelope.write(envelope, config.self());
        this.selfHash = Envelope.senderHash(config.self());
        this.authentication = config.clusterKey() == null ? PeerAuthentication.NONE
            : config.clusterKey().encrypts() ? new AeadEncryption(config.clusterKey(), selfHash)
            : new HmacAuthentication(config.clusterKey());
        // until the node names its persisted generation: seconds, as the node's generation, so seldom smaller
        this.generation = System.currentTimeMillis() / 1000;
        for (Map.Entry<NodeId, PeerAddress> entry : config.peers().entrySet()) {
            addPeer(entry.getKey(), entry.getValue());
        }
        // the driver below deletes its directory on start: another live node's, it would break that node
        String other = otherDriver(config.aeronDirectory(), ProcessHandle.current().pid());
        if (other != null) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, other + ": stop that node first, or start this"
                + " one with another --id or peer port (starting would delete the directory under it); should that"
                + " process be no node, delete " + config.aeronDirectory());
        }
        this.driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(config.aeronDirectory().toString())
            .threadingMode(ThreadingMode.INVOKER)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(true)
            // no helper thread: it polls at about 1 % of a core even when idle. Name resolution then runs on the
            // agent thread, which costs nothing for peers given as IP addresses (the usual case)
            .asyncExecutorEnabled(false)
            .publicationTermBufferLength(config.termLength())
            .ipcTermBufferLength(64 * 1024)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
            // datagrams reach Aeron's receiver only when their header is whole and consistent
            .receiveChannelEndpointSupplier((channel, dispatcher, status, context) ->
                new FrameCheckingReceiveEndpoint(channel, dispatcher, status, context,
                    () -> aeronCounters.get(AeronTransportCounter.DROPPED_INVALID_FRAMES).incrementRelease(), sockets))
            // every socket the driver reads wakes the sleeping agent (PeerSockets)
            .sendChannelEndpointSupplier((channel, status, context) ->
                new WatchedSendEndpoint(channel, status, context, sockets))
            // the client's inter-service timeout comes from this one (through the CnC file), so it bounds how long
            // the agent thread may stall; Aeron wants the unblock timeout above it
            .clientLivenessTimeoutNs(config.timeoutNanos())
            .publicationUnblockTimeoutNs(config.timeoutNanos() + UNBLOCK_MARGIN_NANOS)
            .errorHandler(this::onAeronError));
        this.driverInvoker = driver.sharedAgentInvoker();
        if (!driverInvoker.isStarted()) {
            driverInvoker.start();
        }
        this.aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .driverAgentInvoker(driverInvoker)
            .useConductorAgentInvoker(true)
            // a stall between the driver's and the client's duty cycle ages the driver's heartbeat as much
            .driverTimeoutMs(TimeUnit.NANOSECONDS.toMillis(config.timeoutNanos()))
            .errorHandler(this::onAeronError));
        this.clientInvoker = aeron.conductorAgentInvoker();
        // the assembler keeps a buffer for each sender's stream that ever sent a message in more than one datagram,
        // grown to its largest; anyone who can reach the port can open streams, so each is let go when its stream
        // ends (the client conductor runs on this node's agent thread, as the polls do)
        this.subscription = aeron.addSubscription(config.listen().channel(config.termLength()), STREAM_ID,
            image -> { }, this::onStreamEnded);
    }

    /** A sender's stream ended (it closed, or fell silent past the image timeout): its reassembly buffer goes. */
    private void onStreamEnded(io.aeron.Image image) {
        if (assembler.freeSessionBuffer(image.sessionId())) {
            aeronCounters.get(AeronTransportCounter.REASSEMBLY_BUFFERS_FREED).incrementRelease();
        }
    }

    /**
     * @return what holds {@code directory} when the media driver there belongs to a live process other than
     *     {@code selfPid} (one that started before the driver: not a process that took a dead one's id since) and
     *     beat within that driver's own liveness timeout (at least {@value #DRIVER_ACTIVE_MILLIS} ms, so a node
     *     stopped for a while, which may serve again, counts): a node with the same id and peer port on this machine.
     *     Null otherwise: no driver there, a file this node cannot read, a process gone (killed: its directory is
     *     stale), or one stopped for longer.
     */
    static String otherDriver(java.nio.file.Path directory, long selfPid) {
        java.nio.file.Path cnc = directory.resolve(io.aeron.CncFileDescriptor.CNC_FILE);
        if (!java.nio.file.Files.isRegularFile(cnc)) {
            return null;
        }
        java.nio.MappedByteBuffer mapped;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(cnc)) {
            if (channel.size() < io.aeron.CncFileDescriptor.META_DATA_LENGTH) {
                return null;
            }
            mapped = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, channel.size());
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        try {
            UnsafeBuffer meta = io.aeron.CncFileDescriptor.createMetaDataBuffer(mapped);
            if (meta.getIntVolatile(io.aeron.CncFileDescriptor.cncVersionOffset(0)) == 0) {
                return null; // a driver still starting (or one that died starting): nothing to tell live yet
            }
            long pid = io.aeron.CncFileDescriptor.pid(meta);
            java.util.Optional<ProcessHandle> process = pid == selfPid ? java.util.Optional.empty()
                : ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (process.isEmpty()) {
                return null;
            }
            long driverStartMillis = io.aeron.CncFileDescriptor.startTimestampMs(meta);
            java.util.Optional<java.time.Instant> processStart = process.get().info().startInstant();
            if (processStart.isPresent() && processStart.get().toEpochMilli() > driverStartMillis + 2_000) {
                return null; // the driver's process died, and its id went to a process started since
            }
            long timeoutMillis = Math.max(DRIVER_ACTIVE_MILLIS,
                TimeUnit.NANOSECONDS.toMillis(io.aeron.CncFileDescriptor.clientLivenessTimeoutNs(meta)));
            if (!io.aeron.CommonContext.isDriverActive(timeoutMillis, message -> { }, mapped)) {
                return null;
            }
            return "process " + pid + " runs a media driver in " + directory + " (a node with this id and peer"
                + " port)";
        } catch (RuntimeException e) {
            // a file of another layout (another Aeron version): not a driver this node can tell is live
            return null;
        } finally {
            org.agrona.IoUtil.unmap(mapped);
        }
    }

    /**
     * Starts the embedded media driver and subscribes on the node's listen address.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} when two peers' ids hash alike, or another live
     *     process's media driver holds the directory ({@link #otherDriver}); {@code STORAGE_FAILURE} when the media
     *     driver cannot start
     */
    public static AeronTransport start(TransportConfig config) {
        return start(config, new CounterRegistry(TransportCounter.values().length
            + AeronTransportCounter.values().length));
    }

    /**
     * Starts the transport as {@link #start(TransportConfig)} does, counting into {@code counters}, the node's
     * registry.
     *
     * @throws IllegalArgumentException when {@code counters} already holds transport counters
     */
    public static AeronTransport start(TransportConfig config, CounterRegistry counters) {
        PeerSockets sockets = new PeerSockets();
        try {
            return new AeronTransport(config, counters, sockets);
        } catch (RuntimeException | Error e) {
            sockets.close();
            throw e;
        }
    }

    private void addPeer(NodeId id, PeerAddress address) {
        long hash = Envelope.senderHash(id);
        NodeId clash = peersByHash.put(hash, id);
        if (clash != null || hash == Envelope.senderHash(config.self())) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                "node ids " + id + " and " + (clash != null ? clash : config.self()) + " cannot share a cluster");
        }
        Peer peer = new Peer(address, hash, true);
        peer.configured = true;
        peers.put(id, peer);
    }

    /**
     * Learns or updates a member's address (from gossip or a seed). A new address replaces the old publication; a
     * node id whose fingerprint clashes with a known one is refused and logged, never thrown at the caller. A member
     * is kept until the transport closes.
     */
    @Override
    public void introduce(Node node) {
        learn(node, true);
    }

    /**
     * Learns a seed from the configuration, under its made-up id: sends to it go through the member heard at its
     * address once there is one ({@link #throughMemberAt}).
     */
    @Override
    public void introduceSeed(Node seed) {
        learn(seed, true);
        Peer peer = peers.get(seed.id());
        if (peer != null) {
            peer.configured = true;
        }
    }

    /**
     * Learns a sender that is not a member yet. At most {@link #MAX_SENDERS} such peers are kept: a new one replaces
     * the one introduced longest ago, and one not {@linkplain #introduce introduced} as a member within
     * {@link #SENDER_AGE_NANOS} is forgotten with its publication, so a stream of messages from made-up ids costs a
     * bounded number of publications (each counted in {@code transport_forgotten_senders}).
     */
    @Override
    public void introduceSender(Node node) {
        learn(node, false);
    }

    private void learn(Node node, boolean member) {
        if (closed || node.id().equals(config.self())) {
            return;
        }
        PeerAddress address = new PeerAddress(node.host(), node.peerPort());
        long now = System.nanoTime();
        Peer known = peers.get(node.id());
        if (known != null) {
            Peer current = known;
            if (!known.address.equals(address)) {
                forgetPublication(known);
                current = new Peer(address, known.hash, known.member);
                peers.put(node.id(), current);
            }
            if (member && !current.member) {
                current.member = true;
                senders--;
            }
            current.introducedAtNanos = now;
            return;
        }
        long hash = Envelope.senderHash(node.id());
        NodeId clash = peersByHash.get(hash);
        if (clash != null && member && !peers.get(clash).member) {
            // a sender that is not a member never keeps a member out, whatever id it chose
            forget(clash);
            clash = null;
        }
        if (clash != null || hash == selfHash) {
            aeronCounters.get(AeronTransportCounter.ERRORS).increment();
            LOG.log(System.Logger.Level.WARNING, "node id " + node.id() + " hashes like a known node; ignored");
            return;
        }
        if (!member && senders >= MAX_SENDERS) {
            forgetOldestSender();
        }
        peersByHash.put(hash, node.id());
        Peer peer = new Peer(address, hash, member);
        peer.introducedAtNanos = now;
        peers.put(node.id(), peer);
        if (!member) {
            senders++;
        }
    }

    private void forgetOldestSender() {
        NodeId oldest = null;
        long oldestAt = Long.MAX_VALUE;
        for (Map.Entry<NodeId, Peer> entry : peers.entrySet()) {
            Peer peer = entry.getValue();
            if (!peer.member && (oldest == null || peer.introducedAtNanos - oldestAt < 0)) {
                oldest = entry.getKey();
                oldestAt = peer.introducedAtNanos;
            }
        }
        if (oldest != null) {
            forget(oldest);
        }
    }

    /** Forgets every sender not introduced as a member within {@link #SENDER_AGE_NANOS} of {@code nowNanos}. */
    void forgetSendersIntroducedBefore(long nowNanos) {
        if (senders == 0) {
            return;
        }
        java.util.List<NodeId> stale = new java.util.ArrayList<>();
        for (Map.Entry<NodeId, Peer> entry : peers.entrySet()) {
            Peer peer = entry.getValue();
            if (!peer.member && nowNanos - peer.introducedAtNanos > SENDER_AGE_NANOS) {
                stale.add(entry.getKey());
            }
        }
        stale.forEach(this::forget);
    }

    private void forget(NodeId id) {
        Peer peer = peers.remove(id);
        peersByHash.remove(peer.hash);
        forgetPublication(peer);
        if (!peer.member) {
            senders--;
        }
        countAeron(AeronTransportCounter.FORGOTTEN_SENDERS);
    }

    /** Closes a peer's publication and drops what it kept to send (counted). */
    private void forgetPublication(Peer peer) {
        if (peer.backlogged) {
            aeronCounters.get(AeronTransportCounter.DROPPED_QUEUED).addRelease(peer.pendingMessages);
            backlogged.remove(peer);
            peer.backlogged = false;
        }
        peer.discardPublication(aeron);
    }

    /** @return the publications the media driver holds (its publisher-limit counters): one per peer sent to */
    int driverPublications() {
        int[] count = {0};
        aeron.countersReader().forEach((counterId, typeId, keyBuffer, label) -> {
            if (typeId == io.aeron.driver.status.PublisherLimit.PUBLISHER_LIMIT_TYPE_ID) {
                count[0]++;
            }
        });
        return count[0];
    }

    /** @return true when the transport knows where {@code peer} is (a member, or a sender not forgotten yet) */
    boolean isKnown(NodeId peer) {
        return peers.containsKey(peer);
    }

    /** @return the peers the transport keeps: members and senders not forgotten yet */
    int peerCount() {
        return peers.size();
    }

    /**
     * Runs one duty cycle: the media driver, the Aeron client conductor, then up to 64 arriving fragments.
     *
     * @return the amount of work done, 0 when idle
     */
    public int doWork() {
        return doHousekeeping() + pollMessages();
    }

    /**
     * Runs the embedded media driver's and the Aeron client's duty cycles: sending what was offered, status
     * messages, heartbeats, connection setup.
     *
     * @return the housekeeping work done; it needs no quick follow-up, so idle strategies may ignore it
     */
    public int doHousekeeping() {
        if (closed || failure != null) {
            return 0;
        }
        // which sockets have a datagram, so the driver reads only those (and before the agent's other inputs)
        sockets.pollReady();
        int work = driverInvoker.invoke() + clientInvoker.invoke();
        sockets.releaseClosed();
        if (!backlogged.isEmpty()) {
            work += sendBacklog();
        }
        if (senders > 0) {
            long now = System.nanoTime();
            if (now - nextSenderSweepNanos >= 0) {
                nextSenderSweepNanos = now + SENDER_SWEEP_INTERVAL_NANOS;
                forgetSendersIntroducedBefore(now);
            }
        }
        if (failure == null && (driverInvoker.isClosed() || clientInvoker.isClosed() || aeron.isClosed())) {
            fail("the Aeron " + (driverInvoker.isClosed() ? "media driver" : "client") + " stopped after "
                + lastError);
        }
        return work;
    }

    /** @return what lets the agent sleep until a datagram reaches the media driver's sockets */
    public PeerSockets sockets() {
        return sockets;
    }

    /** Delivers up to 64 arriving fragments to their handlers. @return fragments read */
    public int pollMessages() {
        return closed || failure != null ? 0 : subscription.poll(assembler, FRAGMENT_LIMIT);
    }

    /**
     * @return true once the media driver or the Aeron client stopped for good (the agent thread stalled longer than
     *     the timeout, or Aeron hit a fatal error); a failed transport never recovers and sends nothing
     */
    public boolean hasFailed() {
        return failure != null;
    }

    /** @return why the transport failed, for an operator; null while it has not */
    public String failureReason() {
        return failure;
    }

    /** @return how long the agent thread may stall before the transport fails, in nanoseconds */
    public long timeoutNanos() {
        return config.timeoutNanos();
    }

    @Override
    public SendResult send(NodeId destination, DirectBuffer buffer, int offset, int length) {
        if (closed || failure != null) {
            return SendResult.CLOSED;
        }
        Peer peer = peers.get(destination);
        if (peer == null) {
            count(TransportCounter.UNKNOWN_DESTINATION);
            return SendResult.UNKNOWN_DESTINATION;
        }
        if (peer.configured && !peer.heard) {
            peer = throughMemberAt(peer);
        }
        ExclusivePublication publication = peer.publication(aeron, config.termLength());
        if (publication == null || authentication.encrypts() && !generationNamed) {
            count(TransportCounter.NOT_CONNECTED);
            return SendResult.NOT_CONNECTED;
        }
        if (length + Envelope.LENGTH > publication.maxMessageLength()) {
            count(TransportCounter.TOO_LARGE);
            return SendResult.TOO_LARGE;
        }
        boolean unheard = waitsForHello(peer);
        if (unheard && !isOpen(buffer, offset, length)) {
            // it would name no receiver, and the peer takes such a datagram for gossip only: it waits for the peer's
            // hello, then goes addressed to the run that said it
            if (!publication.isConnected()) {
                count(TransportCounter.NOT_CONNECTED);
                return SendResult.NOT_CONNECTED;
            }
            askForHello(peer, publication);
            return keep(peer, buffer, offset, length);
        }
        if (!peer.pending.isEmpty() && !unheard) {
            // behind sends already kept: order per peer is kept (gossip to a peer not heard yet goes past sends that
            // wait for its hello)
            return keep(peer, buffer, offset, length);
        }
        long result = offer(publication, peer, buffer, offset, length);
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
            return keep(peer, buffer, offset, length);
        }
        return outcome(peer, result);
    }

    /**
     * Keeps a send the path to the peer cannot take now, to go out in order on a later duty cycle, so that a burst
     * (or a peer whose agent is slow to read) does not turn into lost messages and protocol retries.
     *
     * @return {@code SENT} when kept; {@code BACK_PRESSURED} when the peer's backlog is full (counted)
     */
    private SendResult keep(Peer peer, DirectBuffer buffer, int offset, int length) {
        boolean first = peer.pending.isEmpty();
        if (!peer.pending.append(buffer, offset, length)) {
            count(TransportCounter.BACK_PRESSURED);
            return SendResult.BACK_PRESSURED;
        }
        if (first) {
            // a peer not heard yet: the backlog waits for its hello from now on, for a limited time
            peer.holdingSinceNanos = System.nanoTime();
        }
        peer.pendingMessages++;
        if (!peer.backlogged) {
            peer.backlogged = true;
            backlogged.add(peer);
        }
        aeronCounters.get(AeronTransportCounter.QUEUED).incrementRelease();
        return SendResult.SENT;
    }

    /**
     * Sends what peers kept, in order, until a path is full again. A publication that closed or lost its peer
     * drops its backlog (counted): the protocols' own retries cover it, as they cover any lost datagram. Sends to a
     * peer not heard yet wait for its hello, asked again every 100 ms, for 2 s at most.
     *
     * @return sends that went out
     */
    private int sendBacklog() {
        int sent = 0;
        for (int i = backlogged.size() - 1; i >= 0; i--) {
            Peer peer = backlogged.get(i);
            ExclusivePublication publication = peer.publication;
            boolean unheard = waitsForHello(peer);
            if (publication == null || publication.isClosed() || !publication.isConnected()
                || unheard && System.nanoTime() - peer.holdingSinceNanos > HOLD_LIMIT_NANOS) {
                aeronCounters.get(AeronTransportCounter.DROPPED_QUEUED).addRelease(peer.pendingMessages);
                peer.pending.reset(BACKLOG_INITIAL_BYTES);
                peer.pendingMessages = 0;
            } else if (unheard) {
                askForHello(peer, publication);
            } else {
                sent += peer.pending.consume((buffer, offset, length, headOffset) -> {
                    long result = offer(publication, peer, buffer, offset, length);
                    if (result > 0) {
                        count(TransportCounter.SENT);
                        peer.pendingMessages--;
                        return true;
                    }
                    return false;
                }, Integer.MAX_VALUE);
            }
            if (peer.pending.isEmpty()) {
                peer.backlogged = false;
                peer.holdingSinceNanos = 0;
                backlogged.remove(i);
            }
        }
        return sent;
    }

    /** Stamps and signs the envelope for this one datagram, then offers envelope and message. */
    private long offer(ExclusivePublication publication, Peer peer, DirectBuffer buffer, int offset, int length) {
        // until the peer proved its id, the id we know may be a seed's stand-in, and the tag names no receiver; after,
        // it names the peer's run, so the peer's next run refuses the datagram
        long receiver = peer.heard ? address(peer.hash, peer.heardGeneration) : PeerAuthentication.UNADDRESSED;
        return offer(publication, receiver, buffer, offset, length);
    }

    private long offer(ExclusivePublication publication, long receiver, DirectBuffer buffer, int offset, int length) {
        Envelope.stamp(envelope, generation, ++sequence);
        if (authentication.encrypts()) {
            authentication.seal(envelope, receiver, buffer, offset, length, sealed);
            return publication.offer(envelope, 0, Envelope.LENGTH, sealed, 0, length);
        }
        authentication.sign(envelope, receiver, buffer, offset, length);
        return publication.offer(envelope, 0, Envelope.LENGTH, buffer, offset, length);
    }

    /**
     * @return true while sends to {@code peer} other than gossip wait for its hello: with a cluster key, before any
     *     datagram of it was accepted (they would name no receiver)
     */
    private boolean waitsForHello(Peer peer) {
        return authentication.isOn() && !peer.heard;
    }

    /** @return true when the message's schema is open: taken from a sender not heard yet (gossip) */
    private boolean isOpen(DirectBuffer buffer, int offset, int length) {
        return length >= MessageHeader.LENGTH && openSchemas.contains(MessageHeader.schemaId(buffer, offset));
    }

    /**
     * Asks a peer this node has not heard from yet to say hello back (at most every 100 ms), so that the sends
     * waiting for it can name its run. The ask names no receiver; any datagram accepted from the peer answers it.
     */
    private void askForHello(Peer peer, ExclusivePublication publication) {
        long now = System.nanoTime();
        if (peer.lastHelloAskedNanos != 0 && now - peer.lastHelloAskedNanos < HELLO_ASK_INTERVAL_NANOS) {
            return;
        }
        if (offer(publication, PeerAuthentication.UNADDRESSED, helloAsk, 0, helloAsk.capacity()) > 0) {
            peer.lastHelloAskedNanos = now;
            countAeron(AeronTransportCounter.HELLOS_ASKED);
        }
    }

    /**
     * Names this run of the node in every datagram from now on: its generation, persisted and greater at each start,
     * so that receivers with a {@linkplain TransportConfig#clusterKey() cluster key} tell a restart (whose sequence
     * begins again) from a replay. Call before the node sends.
     */
    public void generation(long generation) {
        this.generation = generation;
        this.generationNamed = true;
    }

    private static UnsafeBuffer helloMessage(int template) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        buffer.putShort(2, (short) template, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(4, (short) HELLO_SCHEMA_ID, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short) 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    /** @return the generation this node names in its datagrams */
    long generation() {
        return generation;
    }

    /**
     * What a tag names as its receiver: the node's fingerprint mixed with the generation of its run, so that a
     * datagram made for one run of a node is refused by its next run, whose replay windows start empty (a copy
     * recorded before a restart would otherwise be taken once more). One-to-one in the generation for a given
     * fingerprint; never {@link PeerAuthentication#UNADDRESSED}.
     */
    static long address(long fingerprint, long generation) {
        long address = fingerprint ^ Long.rotateLeft(generation * 0x9E3779B97F4A7C15L, 29);
        return address == PeerAuthentication.UNADDRESSED ? 1 : address;
    }

    /**
     * A datagram from a peer's id failed its tag (only a cluster key makes tags), or named no receiver where one is
     * required: a hello tells the peer this run's generation, so that it addresses this run from then on (it heard
     * from an earlier run, or from none yet). At most one a second to a peer for datagrams refused, one per 100 ms
     * when the peer asked.
     */
    private void sayHello(long senderHash, long intervalNanos) {
        NodeId sender = peersByHash.get(senderHash);
        Peer peer = sender == null ? null : peers.get(sender);
        if (peer == null || !authentication.isOn()) {
            return;
        }
        long now = System.nanoTime();
        if (peer.lastHelloNanos != 0 && now - peer.lastHelloNanos < intervalNanos) {
            return;
        }
        // addressed to no run: this node's idea of the peer's run may be stale too (an old datagram of the peer
        // replayed to it), and a hello addressed to it would be refused as well. Sent at once or not at all: the next
        // datagram that fails its tag asks again (at once while the publication is not connected yet).
        ExclusivePublication publication = peer.publication(aeron, config.termLength());
        if (publication == null || !peer.pending.isEmpty() || authentication.encrypts() && !generationNamed) {
            return;
        }
        if (offer(publication, PeerAuthentication.UNADDRESSED, hello, 0, hello.capacity()) > 0) {
            peer.lastHelloNanos = now;
            countAeron(AeronTransportCounter.HELLOS_SENT);
        }
    }

    /** @return true when every datagram's message is also encrypted ({@code --peer-encryption}) */
    public boolean isEncrypted() {
        return authentication.encrypts();
    }

    /** @return true when every datagram is tagged with the cluster key and checked */
    public boolean isAuthenticated() {
        return authentication.isOn();
    }

    private SendResult outcome(Peer peer, long result) {
        if (result > 0) {
            count(TransportCounter.SENT);
            return SendResult.SENT;
        }
        if (result == Publication.NOT_CONNECTED) {
            count(TransportCounter.NOT_CONNECTED);
            return SendResult.NOT_CONNECTED;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
            count(TransportCounter.BACK_PRESSURED);
            return SendResult.BACK_PRESSURED;
        }
        // CLOSED or MAX_POSITION_EXCEEDED: replace the publication on the next send
        peer.discardPublication(aeron);
        count(TransportCounter.NOT_CONNECTED);
        return SendResult.NOT_CONNECTED;
    }

    @Override
    public void register(int schemaId, MessageHandler handler) {
        if (schemaId == HELLO_SCHEMA_ID) {
            throw new IllegalArgumentException("schema " + schemaId + " is the transport's own");
        }
        if (handlers.containsKey(schemaId)) {
            throw new IllegalStateException("schema " + schemaId + " already has a handler");
        }
        handlers.put(schemaId, handler);
    }

    @Override
    public void registerOpen(int schemaId, MessageHandler handler) {
        register(schemaId, handler);
        openSchemas.add(schemaId);
    }

    /** @return what the transport sent, received and dropped (its counters in the node's registry) */
    public CounterSet<TransportCounter> counters() {
        return counters;
    }

    /**
     * A peer configured at start and never heard under its id (a seed, known by its address only) is reached through
     * the member heard at that address, once there is one. One sequence numbers every datagram a node sends, and the
     * receiver's replay window keeps the last 64: through a second publication to the same node, a datagram could
     * fall further behind those of the first and be refused as a replay (gossip to a seed, during a burst of
     * repair records). One publication per address keeps them in order.
     *
     * @return the member heard at {@code seed}'s address, or {@code seed} when none is
     */
    private Peer throughMemberAt(Peer seed) {
        for (Peer other : peers.values()) {
            if (other != seed && other.heard && other.address.equals(seed.address)) {
                return other;
            }
        }
        return seed;
    }

    /** @return true when a publication to {@code peer} exists and a receiver is connected to it */
    public boolean isConnected(NodeId peer) {
        Peer known = peers.get(peer);
        return known != null && known.isConnected();
    }

    /** @return the listen address */
    public PeerAddress listenAddress() {
        return config.listen();
    }

    private void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        if (length < Envelope.LENGTH + MessageHeader.LENGTH || !Envelope.hasMagic(buffer, offset)) {
            countAeron(AeronTransportCounter.DROPPED_UNKNOWN_ENVELOPE);
            return;
        }
        boolean encrypted = authentication.encrypts();
        long self = address(selfHash, generation);
        int verdict = encrypted ? authentication.open(buffer, offset, length, self, opened)
            : authentication.verify(buffer, offset, length, self);
        if (verdict != PeerAuthentication.ACCEPTED && verdict != PeerAuthentication.ACCEPTED_UNADDRESSED) {
            countAeron(verdict == PeerAuthentication.BAD_TAG ? AeronTransportCounter.DROPPED_BAD_TAG
                : AeronTransportCounter.DROPPED_REPLAYED);
            if (verdict == PeerAuthentication.BAD_TAG) {
                // perhaps a peer that has not heard from this run yet: tell it (a forgery costs one hello a second)
                sayHello(Envelope.sender(buffer, offset), HELLO_INTERVAL_NANOS);
            }
            return;
        }
        long senderHash = Envelope.sender(buffer, offset);
        DirectBuffer message = encrypted ? opened : buffer;
        int messageOffset = encrypted ? 0 : offset + Envelope.LENGTH;
        int messageLength = length - Envelope.LENGTH;
        int schemaId = MessageHeader.schemaId(message, messageOffset);
        NodeId sender = peersByHash.get(senderHash);
        if (sender == null && !openSchemas.contains(schemaId)) {
            count(TransportCounter.DROPPED_UNKNOWN_SENDER);
            return;
        }
        if (sender != null) {
            Peer peer = peers.get(sender);
            if (peer != null) {
                peer.heard = true;
                // the window accepted it: the sender's current run, or a later one
                peer.heardGeneration = Envelope.generation(buffer, offset);
            }
        }
        if (schemaId == HELLO_SCHEMA_ID) {
            countAeron(AeronTransportCounter.HELLOS_RECEIVED);
            if (MessageHeader.templateId(message, messageOffset) == HELLO_ASK) {
                // a peer with sends waiting for this run's name; the answer asks nothing, so no two nodes loop. As
                // often as the peer asks (its own limit): a lost answer must not cost the peer its held sends
                sayHello(senderHash, HELLO_ASK_INTERVAL_NANOS);
            }
            return;
        }
        if (verdict == PeerAuthentication.ACCEPTED_UNADDRESSED && !openSchemas.contains(schemaId)) {
            // a write or a repair record sent before its sender heard this run: a copy of it would be taken by any
            // node and by this one's next run, so only gossip (which a replay cannot move back) is taken unaddressed.
            // Its sender is heard all the same (as from a hello); it learns this run from the hello sent back, and its
            // protocol's retry goes addressed.
            countAeron(AeronTransportCounter.DROPPED_UNADDRESSED);
            sayHello(senderHash, HELLO_INTERVAL_NANOS);
            return;
        }
        MessageHandler handler = handlers.get(schemaId);
        if (handler == null) {
            count(TransportCounter.DROPPED_UNKNOWN_SCHEMA);
            return;
        }
        try {
            handler.onMessage(sender, message, messageOffset, messageLength);
            count(TransportCounter.RECEIVED);
        } catch (RuntimeException e) {
            // a message its handler cannot decode is dropped and counted; the agent keeps running
            count(TransportCounter.DROPPED_MALFORMED);
        }
    }

    private void onAeronError(Throwable error) {
        // atomic: Aeron may report from the thread that closes the transport, not only the agent thread
        aeronCounters.get(AeronTransportCounter.ERRORS).increment();
        lastError = error.toString();
        if (failure != null) {
            // the client is closed: every later call repeats that, and one line already said why
            return;
        }
        errorLog.warn("transport error on " + config.self() + ": " + error);
        if (error instanceof AeronException aeronError && aeronError.category() == AeronException.Category.FATAL) {
            // a fatal error (a service interval exceeded, a driver or client timed out) means the client is closing
            fail("Aeron reported " + error);
        }
    }

    /** Agent thread only: the transport's counters have that one writer. */
    private void count(TransportCounter counter) {
        counters.get(counter).incrementRelease();
    }

    /** Agent thread only, as {@link #count}. */
    private void countAeron(AeronTransportCounter counter) {
        aeronCounters.get(counter).incrementRelease();
    }

    private void fail(String reason) {
        failure = reason + " (was the node stopped longer than its transport timeout of "
            + TimeUnit.NANOSECONDS.toMillis(config.timeoutNanos()) + " ms?)";
    }

    /** @return sends kept because the path to their peer was full, sent later in order */
    public long queuedSends() {
        return aeronCounters.value(AeronTransportCounter.QUEUED);
    }

    /** @return the value of one of the Aeron transport's own counters */
    long aeronCounter(AeronTransportCounter counter) {
        return aeronCounters.value(counter);
    }

    /** @return errors the media driver or client reported (logged at most once per 10 s, with a count) */
    public long aeronErrors() {
        return aeronCounters.value(AeronTransportCounter.ERRORS);
    }

    /**
     * @return datagrams dropped at the peer port before Aeron's receiver saw them: too short for the header
     *     their frame type needs, a frame length that type cannot have, or a type a receiver does not handle
     */
    public long droppedInvalidFrames() {
        return aeronCounters.value(AeronTransportCounter.DROPPED_INVALID_FRAMES);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CloseHelper.closeAll(aeron, driver, sockets);
        }
    }

    /** A peer's address and, once the first send asked for it, its publication. */
    private static final class Peer {
        final PeerAddress address;
        /** The peer's fingerprint: each tag is made for one receiver. */
        final long hash;
        /** A datagram that passed authentication came from this peer's id. */
        boolean heard;
        /** The generation of the peer's run named by the last datagram of it accepted. */
        long heardGeneration;
        /** When this node last said hello to the peer, 0 for never. */
        long lastHelloNanos;
        /** When this node last asked the peer to say hello, 0 for never. */
        long lastHelloAskedNanos;
        /** When the oldest of the sends waiting for the peer's hello was kept. */
        long holdingSinceNanos;
        /** Introduced as a member (kept), not only as a sender (bounded, forgotten when it stays one). */
        boolean member;
        /** Given at start (a seed), not learned. */
        boolean configured;
        long introducedAtNanos;
        /** Sends the publication could not take at once (back-pressure), in order; bounded. */
        final ExpandableRingBuffer pending = new ExpandableRingBuffer(BACKLOG_INITIAL_BYTES, BACKLOG_MAX_BYTES, false);
        boolean backlogged;
        int pendingMessages;
        private long registrationId = Aeron.NULL_VALUE;
        private ExclusivePublication publication;

        Peer(PeerAddress address, long hash, boolean member) {
            this.address = address;
            this.hash = hash;
            this.member = member;
        }

        /** @return the publication, or null while Aeron is still creating it */
        ExclusivePublication publication(Aeron aeron, int termLength) {
            if (publication != null) {
                return publication;
            }
            try {
                if (registrationId == Aeron.NULL_VALUE) {
                    registrationId = aeron.asyncAddExclusivePublication(address.publicationChannel(termLength),
                        STREAM_ID);
                }
                publication = aeron.getExclusivePublication(registrationId);
            } catch (AeronException e) {
                // the driver refused the channel (e.g. an unresolvable host): ask again on a later send
                registrationId = Aeron.NULL_VALUE;
                LOG.log(System.Logger.Level.WARNING, "cannot reach peer at " + address + ": " + e.getMessage());
                return null;
            }
            if (publication != null) {
                registrationId = Aeron.NULL_VALUE;
            }
            return publication;
        }

        boolean isConnected() {
            return publication != null && publication.isConnected();
        }

        /** Closes the publication, or withdraws its creation when Aeron has not finished making it. */
        void discardPublication(Aeron aeron) {
            CloseHelper.quietClose(publication);
            publication = null;
            if (registrationId != Aeron.NULL_VALUE) {
                try {
                    aeron.asyncRemovePublication(registrationId);
                } catch (AeronException | IllegalStateException e) {
                    // the client is closing: the driver drops its publications with it
                }
                registrationId = Aeron.NULL_VALUE;
            }
        }
    }
}

package io.ringkv.gossip.internal;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.gossip.Digest;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.Membership;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.sbe.AckDecoder;
import io.ringkv.gossip.sbe.AckEncoder;
import io.ringkv.gossip.sbe.MessageHeaderDecoder;
import io.ringkv.gossip.sbe.MessageHeaderEncoder;
import io.ringkv.gossip.sbe.SynDecoder;
import io.ringkv.gossip.sbe.SynEncoder;
import io.ringkv.ring.TokenAllocators;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongHashSet;

/**
 * Encodes and decodes gossip's two messages (schema 3) and splits what one round must say into messages of at most
 * a configured size: a Syn's digests by fingerprint range, an Ack's entries greedily. An entry larger than the limit
 * on its own (a node with thousands of tokens) travels alone. Decoding validates everything a peer sent; a message
 * that fails throws {@link IllegalArgumentException} and is dropped by the caller.
 */
public final class GossipCodec {
    /** Schema id of gossip messages. */
    public static final int SCHEMA_ID = SynEncoder.SCHEMA_ID;
    /** Longest text field on the wire (ids, hosts, zones, racks, the cluster name), in UTF-8 bytes: the largest an SBE uint8 length may announce. */
    public static final int MAX_TEXT_BYTES = 254;
    private static final int GROUP_HEADER = 4;
    private static final int HEARTBEAT_BYTES = AckEncoder.HeartbeatsEncoder.sbeBlockLength();
    private static final long MAX_AGE_MILLIS = 0xFFFF_FFFEL;
    private static final int STATE_BLOCK = AckEncoder.StatesEncoder.sbeBlockLength();
    private static final NodeStatus[] STATUSES = NodeStatus.values();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SynEncoder synEncoder = new SynEncoder();
    private final SynDecoder synDecoder = new SynDecoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final int maxMessageBytes;

    /** @param maxMessageBytes the size messages are split to stay under */
    public GossipCodec(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Who sent a message, as its body says.
     *
     * @param clusterName the sender's cluster
     * @param id the sender's id
     * @param host the sender's peer host
     * @param peerPort the sender's peer port
     * @param generation the sender's generation
     * @param version the sender's current version
     * @param stateVersion the version of the sender's current content
     */
    public record Sender(String clusterName, NodeId id, String host, int peerPort, long generation, long version,
                         long stateVersion) {
    }

    /**
     * A decoded Syn.
     *
     * @param sender who sent it
     * @param rangeStart lowest fingerprint covered
     * @param rangeEnd highest fingerprint covered
     * @param digests the sender's digests in the range
     */
    public record Syn(Sender sender, long rangeStart, long rangeEnd, List<Digest> digests) {
    }

    /**
     * A decoded Ack.
     *
     * @param sender who sent it
     * @param wanted digests of what the sender asks for (empty closes the round)
     * @param heartbeats newer versions of known content, timed on the receiver's clock
     * @param states full states, timed on the receiver's clock
     */
    public record Ack(Sender sender, List<Digest> wanted, List<Membership.Heartbeat> heartbeats,
                      List<Membership.Timed> states) {
    }

    /** Receives each encoded message. */
    @FunctionalInterface
    public interface Output {
        /** @param buffer holds one message at offset 0 @param length its length */
        void send(DirectBuffer buffer, int length);
    }

    /** @return the template id of the message at {@code offset} */
    public int templateId(DirectBuffer buffer, int offset) {
        return headerDecoder.wrap(buffer, offset).templateId();
    }

    /**
     * Writes the Syns of one round: {@code digests} (sorted by fingerprint) split by fingerprint range so that the
     * ranges cover every fingerprint.
     */
    public void writeSyns(MutableDirectBuffer buffer, Sender sender, List<Digest> digests, Output output) {
        int fixed = MessageHeaderEncoder.ENCODED_LENGTH + SynEncoder.BLOCK_LENGTH + GROUP_HEADER + textBytes(sender);
        int perMessage = Math.max(1, (maxMessageBytes - fixed) / Digest.WIRE_BYTES);
        int from = 0;
        long rangeStart = Long.MIN_VALUE;
        do {
            int to = Math.min(digests.size(), from + perMessage);
            long rangeEnd = to == digests.size() ? Long.MAX_VALUE : digests.get(to - 1).fingerprint();
            synEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .senderGeneration(sender.generation()).senderVersion(sender.version()).senderPeerPort(sender.peerPort())
                .senderStateVersion(sender.stateVersion()).rangeStart(rangeStart).rangeEnd(rangeEnd);
            SynEncoder.DigestsEncoder group = synEncoder.digestsCount(to - from);
            for (int i = from; i < to; i++) {
                Digest digest = digests.get(i);
                group.next().fingerprint(digest.fingerprint()).generation(digest.generation()).version(digest.version());
            }
            synEncoder.clusterName(sender.clusterName()).senderId(sender.id().value()).senderHost(sender.host());
            output.send(buffer, MessageHeaderEncoder.ENCODED_LENGTH + synEncoder.encodedLength());
            rangeStart = rangeEnd + 1;
            from = to;
        } while (from < digests.size());
    }

    /**
     * Writes Acks carrying {@code wanted}, {@code heartbeats} and {@code states}, as many as the size limit needs
     * (at least one when {@code alwaysOne}, so a Syn always gets an answer that carries the answerer's heartbeat).
     */
    public void writeAcks(MutableDirectBuffer buffer, Sender sender, List<Digest> wanted,
                          List<Membership.Heartbeat> heartbeats, List<Membership.Timed> states, long nowNanos,
                          boolean alwaysOne, Output output) {
        int fixed = MessageHeaderEncoder.ENCODED_LENGTH + AckEncoder.BLOCK_LENGTH + 3 * GROUP_HEADER + textBytes(sender);
        int w = 0;
        int h = 0;
        int s = 0;
        boolean first = true;
        while (w < wanted.size() || h < heartbeats.size() || s < states.size() || first && alwaysOne) {
            first = false;
            int budget = maxMessageBytes - fixed;
            int wantedEnd = w;
            while (wantedEnd < wanted.size() && budget >= Digest.WIRE_BYTES) {
                budget -= Digest.WIRE_BYTES;
                wantedEnd++;
            }
            int heartbeatsEnd = h;
            while (heartbeatsEnd < heartbeats.size() && budget >= HEARTBEAT_BYTES) {
                budget -= HEARTBEAT_BYTES;
                heartbeatsEnd++;
            }
            int statesEnd = s;
            while (statesEnd < states.size()) {
                int size = stateBytes(states.get(statesEnd).state());
                boolean alone = wantedEnd == w && heartbeatsEnd == h && statesEnd == s;
                if (size > budget && !alone) {
                    break;
                }
                budget -= size;
                statesEnd++;
            }
            ackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .senderGeneration(sender.generation()).senderVersion(sender.version())
                .senderPeerPort(sender.peerPort()).senderStateVersion(sender.stateVersion());
            AckEncoder.WantedEncoder wantedGroup = ackEncoder.wantedCount(wantedEnd - w);
            for (; w < wantedEnd; w++) {
                Digest digest = wanted.get(w);
                wantedGroup.next().fingerprint(digest.fingerprint()).generation(digest.generation())
                    .version(digest.version());
            }
            AckEncoder.HeartbeatsEncoder heartbeatGroup = ackEncoder.heartbeatsCount(heartbeatsEnd - h);
            for (; h < heartbeatsEnd; h++) {
                Membership.Heartbeat heartbeat = heartbeats.get(h);
                heartbeatGroup.next().fingerprint(heartbeat.fingerprint()).generation(heartbeat.generation())
                    .version(heartbeat.version()).ageMillis(ageMillis(nowNanos, heartbeat.madeAtNanos()))
                    .stateVersion(heartbeat.stateVersion());
            }
            AckEncoder.StatesEncoder stateGroup = ackEncoder.statesCount(statesEnd - s);
            for (; s < statesEnd; s++) {
                Membership.Timed timed = states.get(s);
                writeState(stateGroup.next().ageMillis(ageMillis(nowNanos, timed.madeAtNanos())), timed.state());
            }
            ackEncoder.clusterName(sender.clusterName()).senderId(sender.id().value()).senderHost(sender.host());
            output.send(buffer, MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength());
        }
    }

    private static long ageMillis(long nowNanos, long madeAtNanos) {
        return Math.clamp((nowNanos - madeAtNanos) / 1_000_000, 0, MAX_AGE_MILLIS);
    }

    private static void writeState(AckEncoder.StatesEncoder entry, EndpointState state) {
        Node node = state.node();
        entry.generation(state.generation()).version(state.version()).stateVersion(state.stateVersion())
            .status((short) state.status().ordinal()).protocolVersion(state.protocolVersion())
            .peerPort(node.peerPort()).clientPort(node.clientPort());
        entry.id(node.id().value()).host(node.host()).zone(node.zone()).rack(node.rack());
        long[] tokens = state.tokens();
        byte[] tokenBytes = new byte[tokens.length * Long.BYTES];
        java.nio.ByteBuffer.wrap(tokenBytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(tokens);
        entry.putTokens(tokenBytes, 0, tokenBytes.length);
        byte[] app = ApplicationStates.encode(state.applicationState());
        entry.putApplicationState(app, 0, app.length);
    }

    /** @return the bytes {@code state} takes in an Ack */
    public static int stateBytes(EndpointState state) {
        Node node = state.node();
        return STATE_BLOCK + 4 + utf8(node.id().value()) + utf8(node.host()) + utf8(node.zone()) + utf8(node.rack())
            + 2 + state.tokenCount() * Long.BYTES + 2 + ApplicationStates.encodedLength(state.applicationState());
    }

    private static int textBytes(Sender sender) {
        return 3 + utf8(sender.clusterName()) + utf8(sender.id().value()) + utf8(sender.host());
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** @return the Syn at {@code offset}, validated */
    public Syn readSyn(DirectBuffer buffer, int offset, int length) {
        headerDecoder.wrap(buffer, offset);
        checkBounds(offset, length, buffer);
        requireBlock("Syn", headerDecoder.blockLength(), SynDecoder.BLOCK_LENGTH);
        synDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        long generation = synDecoder.senderGeneration();
        long version = synDecoder.senderVersion();
        int peerPort = synDecoder.senderPeerPort();
        long stateVersion = synDecoder.senderStateVersion();
        long rangeStart = synDecoder.rangeStart();
        long rangeEnd = synDecoder.rangeEnd();
        SynDecoder.DigestsDecoder digestGroup = synDecoder.digests();
        requireBlock("digest", digestGroup.actingBlockLength(), SynDecoder.DigestsDecoder.sbeBlockLength());
        List<Digest> digests = new ArrayList<>(digestGroup.count());
        LongHashSet seen = new LongHashSet();
        for (SynDecoder.DigestsDecoder entry : digestGroup) {
            digests.add(new Digest(requireOnce(seen, entry.fingerprint()), entry.generation(), entry.version()));
        }
        Sender sender = sender(synDecoder.clusterName(), synDecoder.senderId(), synDecoder.senderHost(), peerPort,
            generation, version, stateVersion);
        requireWithin(offset, length, MessageHeaderDecoder.ENCODED_LENGTH + synDecoder.encodedLength());
        if (rangeStart > rangeEnd) {
            throw new IllegalArgumentException("empty fingerprint range");
        }
        return new Syn(sender, rangeStart, rangeEnd, digests);
    }

    /** @return the Ack at {@code offset}, validated */
    public Ack readAck(DirectBuffer buffer, int offset, int length, long nowNanos) {
        headerDecoder.wrap(buffer, offset);
        checkBounds(offset, length, buffer);
        requireBlock("Ack", headerDecoder.blockLength(), AckDecoder.BLOCK_LENGTH);
        ackDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        long generation = ackDecoder.senderGeneration();
        long version = ackDecoder.senderVersion();
        int peerPort = ackDecoder.senderPeerPort();
        long stateVersion = ackDecoder.senderStateVersion();
        AckDecoder.WantedDecoder wantedGroup = ackDecoder.wanted();
        requireBlock("wanted digest", wantedGroup.actingBlockLength(), AckDecoder.WantedDecoder.sbeBlockLength());
        List<Digest> wanted = new ArrayList<>(wantedGroup.count());
        LongHashSet seen = new LongHashSet();
        for (AckDecoder.WantedDecoder entry : wantedGroup) {
            wanted.add(new Digest(requireOnce(seen, entry.fingerprint()), entry.generation(), entry.version()));
        }
        AckDecoder.HeartbeatsDecoder heartbeatGroup = ackDecoder.heartbeats();
        requireBlock("heartbeat", heartbeatGroup.actingBlockLength(), HEARTBEAT_BYTES);
        List<Membership.Heartbeat> heartbeats = new ArrayList<>(heartbeatGroup.count());
        for (AckDecoder.HeartbeatsDecoder entry : heartbeatGroup) {
            long fingerprint = entry.fingerprint();
            long entryGeneration = entry.generation();
            long entryVersion = entry.version();
            long age = entry.ageMillis();
            heartbeats.add(new Membership.Heartbeat(fingerprint, entryGeneration, entryVersion, entry.stateVersion(),
                nowNanos - age * 1_000_000));
        }
        AckDecoder.StatesDecoder stateGroup = ackDecoder.states();
        requireBlock("state", stateGroup.actingBlockLength(), STATE_BLOCK);
        List<Membership.Timed> states = new ArrayList<>(stateGroup.count());
        for (AckDecoder.StatesDecoder entry : stateGroup) {
            long age = entry.ageMillis();
            states.add(new Membership.Timed(readState(entry), nowNanos - age * 1_000_000));
        }
        Sender sender = sender(ackDecoder.clusterName(), ackDecoder.senderId(), ackDecoder.senderHost(), peerPort,
            generation, version, stateVersion);
        requireWithin(offset, length, MessageHeaderDecoder.ENCODED_LENGTH + ackDecoder.encodedLength());
        return new Ack(sender, wanted, heartbeats, states);
    }

    private static EndpointState readState(AckDecoder.StatesDecoder entry) {
        long generation = entry.generation();
        long version = entry.version();
        long stateVersion = entry.stateVersion();
        short status = entry.status();
        int protocolVersion = entry.protocolVersion();
        int peerPort = entry.peerPort();
        int clientPort = entry.clientPort();
        String id = requireText(entry.id());
        String host = requireText(entry.host());
        String zone = requireText(entry.zone());
        String rack = requireText(entry.rack());
        int tokenBytes = entry.tokensLength();
        if (tokenBytes % Long.BYTES != 0 || tokenBytes / Long.BYTES > TokenAllocators.MAX_VNODES) {
            throw new IllegalArgumentException("token bytes must be a multiple of 8 for at most "
                + TokenAllocators.MAX_VNODES + " tokens, were " + tokenBytes);
        }
        byte[] rawTokens = new byte[tokenBytes];
        entry.getTokens(rawTokens, 0, tokenBytes);
        long[] tokens = new long[tokenBytes / Long.BYTES];
        java.nio.ByteBuffer.wrap(rawTokens).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(tokens);
        byte[] app = new byte[entry.applicationStateLength()];
        entry.getApplicationState(app, 0, app.length);
        if (status >= STATUSES.length) {
            throw new IllegalArgumentException("unknown status " + status);
        }
        Node node = new Node(NodeId.of(id), host, peerPort, clientPort, zone, rack);
        return EndpointState.of(node, generation, version, stateVersion, STATUSES[status], tokens,
            ApplicationStates.decode(app), protocolVersion);
    }

    private static Sender sender(String clusterName, String id, String host, int peerPort, long generation,
                                 long version, long stateVersion) {
        if (peerPort < 1 || peerPort > 65_535 || !Node.isLabel(host)) {
            throw new IllegalArgumentException("bad sender address " + host + ":" + peerPort);
        }
        return new Sender(requireText(clusterName), NodeId.of(requireText(id)), requireText(host), peerPort,
            generation, version, stateVersion);
    }

    /**
     * A text the encoder could not send on (over {@link #MAX_TEXT_BYTES} once re-encoded: the decoder takes 255, and
     * bytes that are not UTF-8 grow into replacement characters) would break every message that carries it.
     */
    private static String requireText(String text) {
        if (utf8(text) > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("a text field is longer than " + MAX_TEXT_BYTES + " bytes");
        }
        return text;
    }

    /** A shorter block than the schema's would make entries overlap: one small message naming thousands of them. */
    private static void requireBlock(String what, int actual, int schema) {
        if (actual < schema) {
            throw new IllegalArgumentException(what + " block of " + actual + " bytes, the schema's is " + schema);
        }
    }

    /** A sender names each endpoint once in a group; repeats would only multiply the answer. */
    private static long requireOnce(LongHashSet seen, long fingerprint) {
        if (!seen.add(fingerprint)) {
            throw new IllegalArgumentException("fingerprint " + fingerprint + " named twice in one group");
        }
        return fingerprint;
    }

    private static void checkBounds(int offset, int length, DirectBuffer buffer) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH || offset + length > buffer.capacity()) {
            throw new IllegalArgumentException("truncated gossip message");
        }
    }

    private static void requireWithin(int offset, int length, int decoded) {
        if (decoded > length) {
            throw new IllegalArgumentException("gossip message claims " + decoded + " bytes, has " + length);
        }
    }

    /** Application state on the wire: {@code key=value} lines. */
    static final class ApplicationStates {
        private ApplicationStates() {
        }

        static byte[] encode(Map<String, String> values) {
            StringBuilder text = new StringBuilder();
            new TreeMap<>(values).forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        static int encodedLength(Map<String, String> values) {
            int length = 0;
            for (Map.Entry<String, String> entry : values.entrySet()) {
                length += utf8(entry.getKey()) + utf8(entry.getValue()) + 2;
            }
            return length;
        }

        static Map<String, String> decode(byte[] bytes) {
            Map<String, String> values = new TreeMap<>();
            String text = new String(bytes, StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int equals = line.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("malformed application state line");
                }
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
            return values;
        }
    }
}

package io.ringkv.gossip.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import io.ringkv.gossip.EndpointState;
import io.ringkv.gossip.NodeStatus;
import io.ringkv.gossip.sbe.AckEncoder;
import io.ringkv.gossip.sbe.MessageHeaderEncoder;
import io.ringkv.gossip.sbe.SynEncoder;
import io.ringkv.ring.TokenAllocators;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Messages a peer could send that the encoder never makes: each must be refused by the decoder, because a state
 * taken from one would break every message that carries it afterwards, or the message would make the receiver
 * answer far more than it was sent.
 */
class GossipCodecTest {
    private static final long NOW = 1_000_000_000_000L;
    private final GossipCodec codec = new GossipCodec(16 * 1024);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128 * 1024]);

    /** What one state of a crafted Ack holds; each test changes one field. */
    private record StateFields(long version, NodeStatus status, byte[] host, int tokenCount, String application) {
        static StateFields valid() {
            return new StateFields(7, NodeStatus.NORMAL, "10.0.0.9".getBytes(StandardCharsets.UTF_8), 16,
                "load=1.00KiB\n");
        }
    }

    @Test
    void aWellFormedCraftedAckDecodes() {
        GossipCodec.Ack ack = codec.readAck(buffer, 0, ack(StateFields.valid()), NOW);
        EndpointState state = ack.states().getFirst().state();
        assertEquals("node-9", state.id().value());
        assertEquals(16, state.tokenCount());
        assertEquals("1.00KiB", state.applicationState().get("load"));
    }

    @Test
    void aStateWithTextTheEncoderCouldNotSendIsRefused() {
        // 254 bytes that are not UTF-8 decode to 254 replacement characters: 762 bytes when encoded again
        byte[] host = new byte[GossipCodec.MAX_TEXT_BYTES];
        Arrays.fill(host, (byte) 0xFF);
        StateFields fields = StateFields.valid();
        int length = ack(new StateFields(fields.version(), fields.status(), host, fields.tokenCount(),
            fields.application()));
        assertThrows(IllegalArgumentException.class, () -> codec.readAck(buffer, 0, length, NOW));
    }

    @Test
    void aHostWithALineBreakIsRefused() {
        StateFields fields = StateFields.valid();
        int length = ack(new StateFields(fields.version(), fields.status(),
            "10.0.0.9\nnode99:id=x".getBytes(StandardCharsets.UTF_8), fields.tokenCount(), fields.application()));
        assertThrows(RuntimeException.class, () -> codec.readAck(buffer, 0, length, NOW));
    }

    @Test
    void moreTokensThanAnyNodeMayOwnAreRefused() {
        StateFields fields = StateFields.valid();
        assertEquals(1, codec.readAck(buffer, 0, ack(new StateFields(fields.version(), fields.status(),
            fields.host(), TokenAllocators.MAX_VNODES, fields.application())), NOW).states().size());
        int length = ack(new StateFields(fields.version(), fields.status(), fields.host(),
            TokenAllocators.MAX_VNODES + 1, fields.application()));
        assertThrows(IllegalArgumentException.class, () -> codec.readAck(buffer, 0, length, NOW));
    }

    @Test
    void applicationStateTheNodeCouldNotAnnounceIsRefused() {
        StateFields fields = StateFields.valid();
        for (String application : new String[] {"Load=1\n", "load=a\u0007b\n", "x".repeat(40) + "=1\n",
            manyValues(EndpointState.MAX_APPLICATION_VALUES + 1)}) {
            int length = ack(new StateFields(fields.version(), fields.status(), fields.host(), fields.tokenCount(),
                application));
            assertThrows(IllegalArgumentException.class, () -> codec.readAck(buffer, 0, length, NOW), application);
        }
        assertEquals(EndpointState.MAX_APPLICATION_VALUES, codec.readAck(buffer, 0, ack(new StateFields(
            fields.version(), fields.status(), fields.host(), fields.tokenCount(),
            manyValues(EndpointState.MAX_APPLICATION_VALUES))), NOW).states().getFirst().state()
            .applicationState().size());
    }

    @Test
    void versionsNoNodeCanReachAreRefused() {
        StateFields fields = StateFields.valid();
        int live = ack(new StateFields(EndpointState.MAX_LIVE_VERSION, NodeStatus.NORMAL, fields.host(),
            fields.tokenCount(), fields.application()));
        assertThrows(IllegalArgumentException.class, () -> codec.readAck(buffer, 0, live, NOW));
        int removed = ack(new StateFields(EndpointState.REMOVED_VERSION, NodeStatus.LEFT, fields.host(),
            fields.tokenCount(), fields.application()));
        assertEquals(NodeStatus.LEFT, codec.readAck(buffer, 0, removed, NOW).states().getFirst().state().status());
        int overflowing = ack(new StateFields(Long.MAX_VALUE - 1, NodeStatus.LEFT, fields.host(),
            fields.tokenCount(), fields.application()));
        assertThrows(IllegalArgumentException.class, () -> codec.readAck(buffer, 0, overflowing, NOW));
    }

    @Test
    void aGroupWithEntriesShorterThanTheSchemaIsRefused() {
        int length = syn(new long[] {11, 12, 13});
        assertEquals(3, codec.readSyn(buffer, 0, length).digests().size());
        // the digest group's header follows the message header and the root block
        int groupHeader = MessageHeaderEncoder.ENCODED_LENGTH + SynEncoder.BLOCK_LENGTH;
        buffer.putShort(groupHeader, (short) 0, ByteOrder.LITTLE_ENDIAN);
        // three entries of no bytes each would read the same bytes three times; 65,534 of them, from 60 bytes
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> codec.readSyn(buffer, 0, length));
        assertTrue(refused.getMessage().contains("digest block of 0 bytes"), refused.getMessage());
    }

    @Test
    void aRootBlockShorterThanTheSchemaIsRefused() {
        int length = syn(new long[] {11});
        buffer.putShort(0, (short) (SynEncoder.BLOCK_LENGTH - 8), ByteOrder.LITTLE_ENDIAN);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> codec.readSyn(buffer, 0, length));
        assertTrue(refused.getMessage().contains("Syn block of"), refused.getMessage());
    }

    @Test
    void aFingerprintNamedTwiceInOneGroupIsRefused() {
        int length = syn(new long[] {11, 12, 11});
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> codec.readSyn(buffer, 0, length));
        assertTrue(refused.getMessage().contains("twice"), refused.getMessage());
    }

    private static String manyValues(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("k").append(i).append("=v\n");
        }
        return text.toString();
    }

    private int syn(long[] fingerprints) {
        SynEncoder encoder = new SynEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .senderGeneration(5).senderVersion(3).senderPeerPort(7400).senderStateVersion(1)
            .rangeStart(Long.MIN_VALUE).rangeEnd(Long.MAX_VALUE);
        SynEncoder.DigestsEncoder digests = encoder.digestsCount(fingerprints.length);
        for (long fingerprint : fingerprints) {
            digests.next().fingerprint(fingerprint).generation(5).version(9);
        }
        encoder.clusterName("ringkv").senderId("node-1").senderHost("10.0.0.1");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private int ack(StateFields fields) {
        AckEncoder encoder = new AckEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .senderGeneration(5).senderVersion(3).senderPeerPort(7400).senderStateVersion(1);
        encoder.wantedCount(0);
        encoder.heartbeatsCount(0);
        AckEncoder.StatesEncoder state = encoder.statesCount(1).next()
            .generation(5).version(fields.version()).stateVersion(2).status((short) fields.status().ordinal())
            .protocolVersion(EndpointState.PROTOCOL_VERSION).peerPort(7400).clientPort(7379).ageMillis(0);
        state.id(NodeId.of("node-9").value());
        state.putHost(fields.host(), 0, fields.host().length);
        state.zone("zone1").rack("rack1");
        byte[] tokens = new byte[fields.tokenCount() * Long.BYTES];
        for (int i = 0; i < tokens.length; i += Long.BYTES) {
            tokens[i] = (byte) (i / Long.BYTES + 1);
            tokens[i + 1] = (byte) (i / Long.BYTES >> 8);
        }
        state.putTokens(tokens, 0, tokens.length);
        byte[] application = fields.application().getBytes(StandardCharsets.UTF_8);
        state.putApplicationState(application, 0, application.length);
        encoder.clusterName("ringkv").senderId("node-1").senderHost("10.0.0.1");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}

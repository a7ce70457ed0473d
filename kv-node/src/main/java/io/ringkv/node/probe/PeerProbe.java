package io.ringkv.node.probe;

import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.api.TimerHandler;
import io.ringkv.node.sbe.MessageHeaderDecoder;
import io.ringkv.node.sbe.MessageHeaderEncoder;
import io.ringkv.node.sbe.PingDecoder;
import io.ringkv.node.sbe.PingEncoder;
import io.ringkv.node.sbe.PongDecoder;
import io.ringkv.node.sbe.PongEncoder;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Pings every peer each interval and answers peers' pings: a peer that answers becomes reachable, one silent for
 * {@code missesBeforeUnreachable} intervals becomes unreachable. Written against {@link NodeContext} only, so it
 * runs unchanged over Aeron and in the simulator. (Gossip's failure detector will judge liveness for the
 * cluster; this probe checks the transport path itself.)
 */
public final class PeerProbe implements TimerHandler {
    /** Largest payload a ping carries back and forth. */
    public static final int MAX_PAYLOAD = 16 * 1024;

    /** Told when a peer's reachability changes. */
    public interface Listener {
        /** The peer answered after being unknown or unreachable. */
        void onReachable(NodeId peer, long roundTripNanos);

        /** The peer stopped answering. */
        void onUnreachable(NodeId peer);
    }

    private final NodeContext context;
    private final long intervalNanos;
    private final int missesBeforeUnreachable;
    private final Listener listener;
    private final Map<NodeId, PeerState> peers = new LinkedHashMap<>();
    private final UnsafeBuffer sendBuffer =
        new UnsafeBuffer(ByteBuffer.allocateDirect(MessageHeaderEncoder.ENCODED_LENGTH + 64 + MAX_PAYLOAD));
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final PingEncoder pingEncoder = new PingEncoder();
    private final PingDecoder pingDecoder = new PingDecoder();
    private final PongEncoder pongEncoder = new PongEncoder();
    private final PongDecoder pongDecoder = new PongDecoder();
    private long correlation;
    private long pingsAnswered;
    private long droppedUnknownTemplate;

    private static final class PeerState {
        boolean reachable;
        long lastAnswerNanos;
        long lastRoundTripNanos = -1;
    }

    /**
     * Registers the node-message handler with the context's transport.
     *
     * @param context the node's runtime
     * @param peers the peers to probe
     * @param intervalNanos time between pings to each peer
     * @param missesBeforeUnreachable intervals without an answer before a peer is unreachable
     * @param listener told of every change
     */
    public PeerProbe(NodeContext context, List<NodeId> peers, long intervalNanos, int missesBeforeUnreachable,
                     Listener listener) {
        if (intervalNanos <= 0 || missesBeforeUnreachable < 1) {
            throw new IllegalArgumentException("probe interval must be positive and misses at least 1");
        }
        this.context = context;
        this.intervalNanos = intervalNanos;
        this.missesBeforeUnreachable = missesBeforeUnreachable;
        this.listener = listener;
        for (NodeId peer : peers) {
            this.peers.put(peer, new PeerState());
        }
        context.transport().register(MessageHeaderDecoder.SCHEMA_ID, this::onMessage);
    }

    /** Starts probing: the first round goes out at once. */
    public void start() {
        context.timers().schedule(0, this);
    }

    @Override
    public void onTimer(long timerId) {
        long now = context.clock().monotonicNanos();
        for (Map.Entry<NodeId, PeerState> entry : peers.entrySet()) {
            PeerState state = entry.getValue();
            if (state.reachable && now - state.lastAnswerNanos > intervalNanos * missesBeforeUnreachable) {
                state.reachable = false;
                listener.onUnreachable(entry.getKey());
            }
            ping(entry.getKey(), now);
        }
        context.timers().schedule(intervalNanos, this);
    }

    private void ping(NodeId peer, long now) {
        pingEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(++correlation)
            .sendTimestampNanos(now)
            .putPayload(sendBuffer, 0, 0);
        context.transport().send(peer, sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + pingEncoder.encodedLength());
    }

    private void onMessage(NodeId sender, DirectBuffer buffer, int offset, int length) {
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.version() != MessageHeaderDecoder.SCHEMA_VERSION) {
            throw new IllegalArgumentException("node message version " + headerDecoder.version() + " is not "
                + MessageHeaderDecoder.SCHEMA_VERSION);
        }
        int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        int bodyLimit = offset + length;
        switch (headerDecoder.templateId()) {
            case PingDecoder.TEMPLATE_ID -> onPing(sender, buffer, bodyOffset, bodyLimit);
            case PongDecoder.TEMPLATE_ID -> onPong(sender, buffer, bodyOffset, bodyLimit);
            default -> droppedUnknownTemplate++;
        }
    }

    private void onPing(NodeId sender, DirectBuffer buffer, int bodyOffset, int bodyLimit) {
        pingDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
        long correlationId = pingDecoder.correlationId();
        long sentAt = pingDecoder.sendTimestampNanos();
        int payloadLength = checkedPayloadLength(pingDecoder.payloadLength(), pingDecoder.limit(), bodyLimit);
        payloadView.wrap(buffer, pingDecoder.limit() + PingDecoder.payloadHeaderLength(), payloadLength);
        pongEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sendTimestampNanos(sentAt)
            .putPayload(payloadView, 0, payloadLength);
        context.transport().send(sender, sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + pongEncoder.encodedLength());
        pingsAnswered++;
    }

    private void onPong(NodeId sender, DirectBuffer buffer, int bodyOffset, int bodyLimit) {
        pongDecoder.wrap(buffer, bodyOffset, headerDecoder.blockLength(), headerDecoder.version());
        checkedPayloadLength(pongDecoder.payloadLength(), pongDecoder.limit(), bodyLimit);
        PeerState state = peers.get(sender);
        if (state == null) {
            return;
        }
        long now = context.clock().monotonicNanos();
        state.lastAnswerNanos = now;
        state.lastRoundTripNanos = now - pongDecoder.sendTimestampNanos();
        if (!state.reachable) {
            state.reachable = true;
            listener.onReachable(sender, state.lastRoundTripNanos);
        }
    }

    private static int checkedPayloadLength(long declared, int payloadHeaderOffset, int bodyLimit) {
        long available = bodyLimit - payloadHeaderOffset - PingDecoder.payloadHeaderLength();
        if (declared < 0 || declared > MAX_PAYLOAD || declared > available) {
            throw new IllegalArgumentException("payload length " + declared + " exceeds the message");
        }
        return (int) declared;
    }

    /** @return true when {@code peer} answered within the last {@code missesBeforeUnreachable} intervals */
    public boolean isReachable(NodeId peer) {
        PeerState state = peers.get(peer);
        return state != null && state.reachable;
    }

    /** @return pings this node answered */
    public long pingsAnswered() {
        return pingsAnswered;
    }

    /** @return node messages of a template this node does not know */
    public long droppedUnknownTemplate() {
        return droppedUnknownTemplate;
    }
}

package io.ringkv.gossip;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The seed's detector: SUSPECT after {@code suspectAfter} without a new heartbeat, DOWN after {@code downAfter}.
 * Predictable and easy to reason about; it ignores how regular a node's heartbeats usually are.
 */
public final class FixedTimeoutDetector implements FailureDetector {
    private final long suspectAfterNanos;
    private final long downAfterNanos;
    private final Map<NodeId, Long> lastHeartbeat = new HashMap<>();

    /**
     * @param suspectAfterNanos silence before SUSPECT, positive
     * @param downAfterNanos silence before DOWN, at least {@code suspectAfterNanos}
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting
     */
    public FixedTimeoutDetector(long suspectAfterNanos, long downAfterNanos) {
        if (suspectAfterNanos <= 0 || downAfterNanos < suspectAfterNanos) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "suspect_after must be positive and down_after at"
                + " least suspect_after, were " + suspectAfterNanos + " ns and " + downAfterNanos + " ns");
        }
        this.suspectAfterNanos = suspectAfterNanos;
        this.downAfterNanos = downAfterNanos;
    }

    @Override
    public void heartbeat(NodeId node, long nowNanos) {
        lastHeartbeat.put(node, nowNanos);
    }

    @Override
    public Liveness liveness(NodeId node, long nowNanos) {
        Long last = lastHeartbeat.get(node);
        if (last == null) {
            return Liveness.DOWN;
        }
        long silence = nowNanos - last;
        if (silence >= downAfterNanos) {
            return Liveness.DOWN;
        }
        return silence >= suspectAfterNanos ? Liveness.SUSPECT : Liveness.ALIVE;
    }

    @Override
    public void forget(NodeId node) {
        lastHeartbeat.remove(node);
    }

    @Override
    public void excusePause(long pauseNanos, long nowNanos) {
        lastHeartbeat.replaceAll((node, last) -> Math.min(nowNanos, last + pauseNanos));
    }

    @Override
    public long downAfterNanos() {
        return downAfterNanos;
    }
}

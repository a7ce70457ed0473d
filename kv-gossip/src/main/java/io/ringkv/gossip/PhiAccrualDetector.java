package io.ringkv.gossip;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The phi accrual detector (Hayashibara et al., 2004): instead of a yes/no timeout it reports phi, how unlikely
 * the current silence is given the node's recent heartbeat intervals (phi = 1 means a 10 % chance the node is
 * still fine, 2 means 1 %, and so on). SUSPECT at {@code suspectPhi}, DOWN at {@code downPhi}. A node whose
 * heartbeats are irregular earns more patience than one that ticks like a clock.
 *
 * <p>Intervals are kept in a sliding window per node; their distribution is taken as normal, with a floor on the
 * standard deviation and an allowance for an acceptable pause (both as in mature implementations, so that a
 * perfectly regular history does not turn one late heartbeat into certainty). An interval at whose end
 * the node already counted as DOWN is not learned (Cassandra ignores intervals above a maximum too): it is a pause
 * of the peer, of the network or of this node, not the peer's rhythm, and one such interval in the window would
 * make the detector slow to notice a real failure for as long as it stays there.
 */
public final class PhiAccrualDetector implements FailureDetector {
    private final double suspectPhi;
    private final double downPhi;
    private final int windowSize;
    private final long expectedIntervalNanos;
    private final double minStdDevNanos;
    private final double acceptablePauseNanos;
    private final long downAfterNanos;
    private final Map<NodeId, History> histories = new HashMap<>();

    /**
     * @param suspectPhi phi at which a node becomes SUSPECT, positive (e.g. 5)
     * @param downPhi phi at which it becomes DOWN, at least {@code suspectPhi} (e.g. 8, Cassandra's default)
     * @param windowSize intervals remembered per node, 2 or more (e.g. 1000)
     * @param expectedIntervalNanos the heartbeat interval a node starts with before it has a history, positive
     *     (its history is seeded with intervals of this mean and a quarter of it as deviation)
     * @param minStdDevNanos floor on the standard deviation, positive (e.g. a tenth of the heartbeat interval)
     * @param acceptablePauseNanos silence added to the mean before phi starts to rise, 0 or more
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the bad setting
     */
    public PhiAccrualDetector(double suspectPhi, double downPhi, int windowSize, long expectedIntervalNanos,
                              long minStdDevNanos, long acceptablePauseNanos) {
        if (!(suspectPhi > 0) || !(downPhi >= suspectPhi) || windowSize < 2 || expectedIntervalNanos <= 0
            || minStdDevNanos <= 0 || acceptablePauseNanos < 0) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "phi accrual needs 0 < suspect phi <= down phi,"
                + " a window of at least 2, a positive expected interval and minimum deviation and a non-negative"
                + " pause; were " + suspectPhi + ", " + downPhi + ", " + windowSize + ", " + expectedIntervalNanos
                + ", " + minStdDevNanos + ", " + acceptablePauseNanos);
        }
        this.suspectPhi = suspectPhi;
        this.downPhi = downPhi;
        this.windowSize = windowSize;
        this.expectedIntervalNanos = expectedIntervalNanos;
        this.minStdDevNanos = minStdDevNanos;
        this.acceptablePauseNanos = acceptablePauseNanos;
        this.downAfterNanos = steadySilenceAt(downPhi);
    }

    /**
     * @return the silence at which phi reaches {@code threshold} for a node that beat exactly every expected
     *     interval (its deviation at the floor); found by bisection, as phi grows with the silence
     */
    private long steadySilenceAt(double threshold) {
        double mean = expectedIntervalNanos + acceptablePauseNanos;
        long low = 0;
        long high = (long) mean + 1;
        while (phi(high, mean, minStdDevNanos) < threshold) {
            high *= 2;
        }
        while (high - low > 1_000) {
            long middle = low + (high - low) / 2;
            if (phi(middle, mean, minStdDevNanos) < threshold) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return high;
    }

    @Override
    public void heartbeat(NodeId node, long nowNanos) {
        History history = histories.get(node);
        if (history == null) {
            history = new History(windowSize, expectedIntervalNanos);
            histories.put(node, history);
            history.lastArrival = nowNanos;
            return;
        }
        history.arrived(nowNanos, phi(history, nowNanos) < downPhi);
    }

    @Override
    public Liveness liveness(NodeId node, long nowNanos) {
        double phi = phi(node, nowNanos);
        if (phi >= downPhi) {
            return Liveness.DOWN;
        }
        return phi >= suspectPhi ? Liveness.SUSPECT : Liveness.ALIVE;
    }

    /** @return phi for {@code node} at {@code nowNanos}; infinite for a node never heard */
    public double phi(NodeId node, long nowNanos) {
        History history = histories.get(node);
        return history == null ? Double.POSITIVE_INFINITY : phi(history, nowNanos);
    }

    private double phi(History history, long nowNanos) {
        double mean = history.mean() + acceptablePauseNanos;
        double stdDev = Math.max(history.stdDev(), minStdDevNanos);
        return phi(nowNanos - history.lastArrival, mean, stdDev);
    }

    /**
     * -log10 of the probability that a heartbeat comes later than {@code elapsed}, with the normal distribution's
     * tail approximated by a logistic function (error under 0.02 %, and no underflow for long silences).
     */
    static double phi(double elapsed, double mean, double stdDev) {
        double y = (elapsed - mean) / stdDev;
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        return elapsed > mean ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    @Override
    public void forget(NodeId node) {
        histories.remove(node);
    }

    @Override
    public void excusePause(long pauseNanos, long nowNanos) {
        for (History history : histories.values()) {
            history.lastArrival = Math.min(nowNanos, history.lastArrival + pauseNanos);
        }
    }

    /** The silence at which a node that beat exactly every expected interval is judged DOWN. */
    @Override
    public long downAfterNanos() {
        return downAfterNanos;
    }

    /** A node's last arrival and a ring buffer of its recent intervals with running sums. */
    private static final class History {
        private final long[] intervals;
        private long lastArrival;
        private int count;
        private int next;
        private double sum;
        private double sumOfSquares;

        History(int windowSize, long expectedInterval) {
            this.intervals = new long[windowSize];
            // two synthetic intervals, mean expectedInterval and deviation a quarter of it, judge the first silence
            add(expectedInterval - expectedInterval / 4);
            add(expectedInterval + expectedInterval / 4);
        }

        /** @param learn whether the interval since the last arrival joins the window */
        void arrived(long nowNanos, boolean learn) {
            if (learn) {
                add(Math.max(0, nowNanos - lastArrival));
            }
            lastArrival = nowNanos;
        }

        private void add(long interval) {
            if (count == intervals.length) {
                long dropped = intervals[next];
                sum -= dropped;
                sumOfSquares -= (double) dropped * dropped;
            } else {
                count++;
            }
            intervals[next] = interval;
            next = (next + 1) % intervals.length;
            sum += interval;
            sumOfSquares += (double) interval * interval;
        }

        double mean() {
            return sum / count;
        }

        double stdDev() {
            double mean = mean();
            return Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean));
        }
    }
}

package io.ringkv.node.resp;

/**
 * What the front door has done, for operators: written only by its thread, readable (approximately) from any.
 */
public final class RespCounters {
    private volatile long connectionsAccepted;
    private volatile long connectionsRejected;
    private volatile long connectedClients;
    private volatile long commandsProcessed;
    private volatile long protocolErrors;
    private volatile long serviceFailures;
    private volatile long readPauses;
    private volatile long closedIdle;
    private volatile long closedIncompleteRequest;
    private volatile long unsentReplyBytes;
    private volatile long unsentReplyBytesPeak;

    /** @return connections accepted since start */
    public long connectionsAccepted() {
        return connectionsAccepted;
    }

    /** @return connections refused because {@link RespConfig#maxClients()} were already open */
    public long connectionsRejected() {
        return connectionsRejected;
    }

    /** @return connections open now */
    public long connectedClients() {
        return connectedClients;
    }

    /** @return commands answered, errors included */
    public long commandsProcessed() {
        return commandsProcessed;
    }

    /** @return connections closed because they sent bytes that are not RESP */
    public long protocolErrors() {
        return protocolErrors;
    }

    /** @return requests the {@link KeyValueService} failed with something other than a {@code KvException} */
    public long serviceFailures() {
        return serviceFailures;
    }

    /** @return times a connection stopped being read because its replies had not drained (back-pressure) */
    public long readPauses() {
        return readPauses;
    }

    /** @return connections closed because they moved no byte for the idle timeout */
    public long closedIdle() {
        return closedIdle;
    }

    /** @return connections closed because a request they began did not arrive whole within the request timeout */
    public long closedIncompleteRequest() {
        return closedIncompleteRequest;
    }

    /** @return reply bytes encoded for clients and not yet read by them, over every connection now */
    public long unsentReplyBytes() {
        return unsentReplyBytes;
    }

    /** @return the most reply bytes one connection has held unsent at once since start */
    public long unsentReplyBytesPeak() {
        return unsentReplyBytesPeak;
    }

    // single writer (the front door's thread), so increments of the volatile fields do not race
    void onAccepted() {
        connectionsAccepted++;
        connectedClients++;
    }

    void onClosed() {
        connectedClients--;
    }

    void onRejected() {
        connectionsRejected++;
    }

    void onCommand() {
        commandsProcessed++;
    }

    void onProtocolError() {
        protocolErrors++;
    }

    void onServiceFailure() {
        serviceFailures++;
    }

    void onReadPaused() {
        readPauses++;
    }

    void onClosedIdle() {
        closedIdle++;
    }

    void onClosedIncompleteRequest() {
        closedIncompleteRequest++;
    }

    /** @param delta change of one connection's unsent bytes, which now stand at {@code connectionBytes} */
    void onUnsentReplyBytes(long delta, long connectionBytes) {
        unsentReplyBytes += delta;
        if (connectionBytes > unsentReplyBytesPeak) {
            unsentReplyBytesPeak = connectionBytes;
        }
    }
}

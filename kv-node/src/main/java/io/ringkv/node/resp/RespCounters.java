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
}

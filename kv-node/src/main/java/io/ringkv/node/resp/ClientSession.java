package io.ringkv.node.resp;

import io.ringkv.api.Consistency;

/** What one connection has chosen: protocol version, consistency, name. Owned by the front door's thread. */
final class ClientSession {
    private final long id;
    private int protocol = RespEncoder.RESP2;
    private Consistency consistency;
    private String consistencyLabel;
    private String name = "";

    ClientSession(long id, Consistency consistency) {
        this.id = id;
        this.consistency = consistency;
    }

    long id() {
        return id;
    }

    int protocol() {
        return protocol;
    }

    void protocol(int version) {
        protocol = version;
    }

    Consistency consistency() {
        return consistency;
    }

    void consistency(Consistency chosen) {
        consistency = chosen;
        consistencyLabel = null;
    }

    /** @return the consistency as request metrics label it, made once per choice */
    String consistencyLabel() {
        if (consistencyLabel == null) {
            consistencyLabel = consistency.toString();
        }
        return consistencyLabel;
    }

    String name() {
        return name;
    }

    void name(String chosen) {
        name = chosen;
    }
}

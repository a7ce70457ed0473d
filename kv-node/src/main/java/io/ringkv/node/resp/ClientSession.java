package io.ringkv.node.resp;

import io.ringkv.api.Consistency;
import io.ringkv.node.auth.User;

/**
 * What one connection has chosen: protocol version, consistency, name, and who it logged in as. Owned by the front
 * door's thread.
 */
final class ClientSession {
    private final long id;
    private int protocol = RespEncoder.RESP2;
    private Consistency consistency;
    private String consistencyLabel;
    private String name = "";
    private User user;
    private boolean loginPending;
    private String origin = "";

    ClientSession(long id, Consistency consistency) {
        this.id = id;
        this.consistency = consistency;
    }

    long id() {
        return id;
    }

    /** @return where the connection comes from (the client's IP address), "" when not known */
    String origin() {
        return origin;
    }

    void origin(String address) {
        origin = address;
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

    /** @return the user the connection logged in as, or null before a login succeeded */
    User user() {
        return user;
    }

    void user(User loggedIn) {
        user = loggedIn;
    }

    /**
     * @return true while a login is being checked: the connection runs no later request until it is answered, so
     *     a pipelined {@code AUTH; SET} runs the SET as the user the AUTH logged in, as Redis does
     */
    boolean loginPending() {
        return loginPending;
    }

    void loginPending(boolean pending) {
        loginPending = pending;
    }
}

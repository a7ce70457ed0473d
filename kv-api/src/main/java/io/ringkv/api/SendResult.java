package io.ringkv.api;

/**
 * What became of a {@link Transport#send send}. Only {@link #SENT} means the message left; every other result is
 * counted by the transport and leaves the decision (retry, give up, try another replica) to the caller.
 */
public enum SendResult {
    /** Handed to the network; delivery is still not guaranteed. */
    SENT,
    /** The path to the peer is full: try again later ("not now"). */
    BACK_PRESSURED,
    /** No connection to the peer right now (starting, restarting or unreachable). */
    NOT_CONNECTED,
    /** The destination is not a known peer. */
    UNKNOWN_DESTINATION,
    /** The message is larger than the transport carries. */
    TOO_LARGE,
    /** The transport is closed. */
    CLOSED;

    /** @return true for {@link #SENT} */
    public boolean sent() {
        return this == SENT;
    }
}

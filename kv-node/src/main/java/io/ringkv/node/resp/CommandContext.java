package io.ringkv.node.resp;

/** What a command sees of the connection it runs for. */
interface CommandContext {
    /** @return the connection's choices */
    ClientSession session();

    /** Answers now, in the session's current protocol. */
    void reply(Reply reply);

    /**
     * Reserves the reply's place in the connection's order, to be filled later from any thread.
     *
     * @param write true for a write: the connection issues no further command until it completes
     */
    ReplySlot defer(boolean write);

    /** Closes the connection once every reply so far has been written. */
    void closeAfterReplies();
}

package io.ringkv.node.resp;

import io.ringkv.node.service.AnswerChannel;

/** What a command sees of the connection it runs for. */
interface CommandContext {
    /** @return the connection's choices */
    ClientSession session();

    /** Answers now, in the session's current protocol. */
    void reply(Reply reply);

    /**
     * Reserves the reply's place in the connection's order, to be filled later. Until it is filled, the
     * connection runs no later command that names one of this command's keys.
     */
    ReplySlot defer();

    /** @return the channel that runs the service's answers on the front door's thread */
    AnswerChannel answers();

    /** Closes the connection once every reply so far has been written. */
    void closeAfterReplies();
}

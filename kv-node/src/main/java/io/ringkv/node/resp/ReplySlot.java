package io.ringkv.node.resp;

import io.ringkv.api.KvException;
import java.util.concurrent.CompletionException;

/**
 * A reply's place in its connection's order, filled when the {@link KeyValueService} answers. Completing it is
 * safe from any thread: the connection receives the reply on the front door's thread.
 */
final class ReplySlot {
    private final Connection connection;
    private final int protocol;
    private final boolean write;
    private Reply reply;

    ReplySlot(Connection connection, int protocol, boolean write) {
        this.connection = connection;
        this.protocol = protocol;
        this.write = write;
    }

    /** Fills the slot; call once, from any thread. */
    void complete(Reply answer) {
        connection.onSlotCompleted(this, answer, false);
    }

    /** Fills the slot with the error a failed service call maps to; call once, from any thread. */
    void fail(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        if (cause instanceof KvException kv) {
            connection.onSlotCompleted(this, errorFor(kv), false);
        } else {
            connection.onSlotCompleted(this, Reply.error("ERR internal error: " + cause), true);
        }
    }

    /** @return the client-visible error for {@code failure}: the error code word says whether a retry may help */
    static Reply errorFor(KvException failure) {
        String word = switch (failure.code()) {
            case UNAVAILABLE -> "UNAVAILABLE";
            case LOADING -> "LOADING";
            case TIMEOUT -> "TIMEOUT";
            case CLOSED -> "CLOSED";
            case DISK_FULL -> "DISKFULL";
            default -> "ERR";
        };
        return Reply.error(word + " " + failure.getMessage());
    }

    int protocol() {
        return protocol;
    }

    boolean isWrite() {
        return write;
    }

    /** @return the reply, or null while pending (front door's thread only) */
    Reply reply() {
        return reply;
    }

    void fill(Reply answer) {
        reply = answer;
    }
}

package io.ringkv.node.resp;

import io.ringkv.api.KvException;
import io.ringkv.node.service.KeyValueService;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * A reply's place in its connection's order, filled when the {@link KeyValueService} answers. It holds the keys of
 * its command, which the connection keeps other commands off until the reply is filled. Completing it is safe from
 * any thread: the connection receives the reply on the front door's thread.
 */
final class ReplySlot {
    private final Connection connection;
    private final int protocol;
    private final List<ByteBuffer> keys;
    private Reply reply;
    /** What request metrics record when the slot is filled: the command, its consistency, when it was dispatched. */
    private final String command;
    private final String consistency;
    private final long dispatchedNanos;
    /** The worst-case reply bytes its connection reserved for it until it is encoded (front door thread only). */
    private long reservedBytes;

    ReplySlot(Connection connection, int protocol, List<ByteBuffer> keys) {
        this(connection, protocol, keys, null, null, 0);
    }

    /** @param command the command to record in request metrics when answered, or null to record nothing */
    ReplySlot(Connection connection, int protocol, List<ByteBuffer> keys, String command, String consistency,
              long dispatchedNanos) {
        this.connection = connection;
        this.protocol = protocol;
        this.keys = keys;
        this.command = command;
        this.consistency = consistency;
        this.dispatchedNanos = dispatchedNanos;
    }

    void reserve(long bytes) {
        reservedBytes = bytes;
    }

    long reservedBytes() {
        return reservedBytes;
    }

    /** @return the command request metrics record for this slot, or null for none */
    String command() {
        return command;
    }

    String consistency() {
        return consistency;
    }

    long dispatchedNanos() {
        return dispatchedNanos;
    }

    /** Fills the slot; call once. */
    void complete(Reply answer) {
        connection.onSlotCompleted(this, answer, false);
    }

    /** Fills the slot with the error a failed service call maps to; call once. */
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

    /** @return the keys of the command this slot answers (front door's thread only) */
    List<ByteBuffer> keys() {
        return keys;
    }

    /** @return the reply, or null while pending (front door's thread only) */
    Reply reply() {
        return reply;
    }

    void fill(Reply answer) {
        reply = answer;
    }
}

package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import java.util.Optional;

/**
 * What a front door (RESP's, HTTP's) asks of the node: asynchronous reads and writes at a given consistency, each
 * answered through an {@link Answer}. The rules of a request live behind it, the same for every front door: a blind
 * write is coordinated by a replica, a write with a context supersedes what the context covers. The replication
 * coordinator implements it; tests use a map.
 *
 * <p>One instance serves one front door: its methods are called on that front door's thread and return without
 * blocking it. A service may collect the calls and hand them to the node together at {@link #flush()}, which the
 * front door calls at the end of each wake-up; the answers come back on each answer's {@link Answer#channel()},
 * in batches. A failure reaches {@link Answer#failed} with a {@link KvException}, whose code and message the client
 * sees. Calls run in the order they are made; the front door does not issue a call on a key while an earlier call
 * of the same connection on that key is unanswered, so calls that may run at once name different keys.
 */
public interface KeyValueService {

    /**
     * Answers the key's value, or empty when it has none (absent or deleted); when replicas hold concurrent
     * siblings the service's conflict resolver picks one ({@link #getVersions} shows them all).
     */
    void get(Key key, Consistency consistency, Answer<Optional<Value>> answer);

    /** Answers every sibling value of the key with the causal context that a later write should pass back. */
    void getVersions(Key key, Consistency consistency, Answer<Siblings> answer);

    /**
     * Writes {@code value}, superseding the versions that {@code context} names; answers when the consistency's W
     * replicas made it durable.
     *
     * @param context the causal context a client read with {@link #getVersions} (supersedes exactly what it
     *     covers; {@link CausalContext#SAW_NOTHING} supersedes nothing), or {@link CausalContext#NONE} for a
     *     blind write (SET): no read first, the coordinating replica supersedes whatever versions it holds, as
     *     Riak's coordinating vnode does
     */
    void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer);

    /**
     * Writes {@code value} as {@link #put(Key, Value, CausalContext, Consistency, Answer)} does, with an expiry: the
     * coordinating replica fixes its instant (a time to live counts from the write's timestamp; {@link Expiry#KEEP}
     * without a context takes that of the value a read at R answers first), and from then on the key reads as absent on every node whose
     * clock has passed it. A service without expiry refuses any but {@link Expiry#NONE}.
     */
    default void put(Key key, Value value, CausalContext context, Expiry expiry, Consistency consistency,
                     Answer<Void> answer) {
        if (expiry.equals(Expiry.NONE)) {
            put(key, value, context, consistency, answer);
        } else {
            answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "this node does not expire keys"));
        }
    }

    /**
     * Answers when the key's value expires, as Redis' {@code PEXPIRETIME} does: milliseconds since the epoch, -1 when
     * it never does, -2 when the key is absent (the value {@link #get} would answer is the one asked about).
     */
    default void expiry(Key key, Consistency consistency, Answer<Long> answer) {
        answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "this node does not expire keys"));
    }

    /**
     * Gives the key's value a new expiry when {@code condition} allows ({@code EXPIRE}, {@code PERSIST},
     * {@code GETEX}): a read, then a write of the value with the read's context; an instant already past deletes
     * the key. Answers the value read (empty when the key was absent, and nothing was written) and whether the
     * change was written.
     */
    default void changeExpiry(Key key, Expiry expiry, Expiry.Condition condition, Consistency consistency,
                              Answer<ExpiryChanged> answer) {
        answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "this node does not expire keys"));
    }

    /**
     * What {@link #changeExpiry} did.
     *
     * @param value the key's value before the change, empty when the key was absent
     * @param changed true when the new expiry (or the delete) was written
     */
    record ExpiryChanged(Optional<Value> value, boolean changed) {
    }

    /**
     * Deletes the key blindly (a tombstone superseding whatever versions the coordinating replica holds, written
     * whether or not a value was there) and answers true when that replica held a live value: its view, not the
     * cluster's.
     */
    void delete(Key key, Consistency consistency, Answer<Boolean> answer);

    /**
     * Marks a node that every failure detector judges DOWN as removed from the cluster (the operator's
     * {@code REMOVENODE id}); its state spreads and is forgotten after the quarantine. Answers when this node took
     * the removal, or fails with a {@link KvException} saying why not.
     */
    default void removeNode(NodeId node, Answer<Void> answer) {
        answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "this node does not manage cluster membership"));
    }

    /**
     * Starts a node operation (the operator's {@code REPAIR}: a repair pass over every token range this node
     * replicates; {@code DECOMMISSION}: stream this node's ranges to others and leave). Answers with a line saying
     * what started, or fails with a {@link KvException} saying why not (one is running already, no other replica,
     * not a member of the ring...).
     *
     * @param operation {@code repair} or {@code decommission}
     * @param arguments the command's arguments after its name (e.g. {@code RANGE start end NODE id} for repair)
     */
    default void admin(String operation, java.util.List<String> arguments, Answer<String> answer) {
        answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "this node does not run " + operation));
    }

    /**
     * One SCAN call over the whole cluster: up to {@code count} keys after {@code cursor}, and the cursor to continue
     * with ({@code "0"} once the scan visited the whole ring). The cursor is self-contained, so any node continues a
     * scan another started. Every key present for the whole scan is returned at least once; a page may hold fewer
     * keys than asked, or none, before the end.
     *
     * @param cursor {@code "0"} to start, else a cursor an earlier call answered; any other fails with
     *     {@code INVALID_ARGUMENT} and the message {@code invalid cursor}
     * @param count 1 to 1000
     */
    default void scan(String cursor, int count, Answer<ScanResult> answer) {
        answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "this node does not scan"));
    }

    /**
     * Answers an estimate of the keys the cluster holds: the record counts the nodes last announced by gossip
     * (tombstones included), summed and divided by the replication factor. Not exact: counts lag by a gossip round
     * or more, replicas that missed writes or hold hints skew it.
     */
    default void estimateKeys(Answer<Long> answer) {
        answer.failed(new KvException(ErrorCode.INVALID_ARGUMENT, "this node does not estimate its key count"));
    }

    /**
     * A SCAN call's answer.
     *
     * @param cursor what the client passes to the next call; {@code "0"} when the scan is over
     * @param keys the keys found, ascending in the cluster's (token, key) order
     */
    record ScanResult(String cursor, java.util.List<Key> keys) {
        /** Copies {@code keys}. */
        public ScanResult {
            keys = java.util.List.copyOf(keys);
        }
    }

    /**
     * Hands every call made since the last flush to the node at once. A call the node cannot take (its queue is
     * full) is answered at once, before this returns, with {@code UNAVAILABLE}.
     */
    default void flush() {
    }
}

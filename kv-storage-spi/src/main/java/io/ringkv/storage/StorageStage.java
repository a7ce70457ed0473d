package io.ringkv.storage;

/**
 * Where a node's protocol code sends its storage work: tasks run against the node's {@link StorageEngine} on the
 * stage's own thread(s), never on the protocol (agent) thread, and each task's completion comes back to the
 * protocol thread as an event (ARCHITECTURE.md's third input of a state machine, "a storage operation completed").
 *
 * <p>What every stage guarantees, in production and in the simulator:
 * <ul>
 *   <li>tasks submitted with the same token run in submission order, one at a time, so a task that reads a key,
 *       resolves and writes it sees every earlier task's write of that key; tasks of different tokens may run in
 *       any order;</li>
 *   <li>a {@link #write} task's completion comes only after a force of the engine that covers every engine write
 *       the task made (one force covers the writes of many tasks: group commit); a crash before that force may lose
 *       them, and then the completion never comes;</li>
 *   <li>a {@link #read} task's completion comes after it ran and after the force of any earlier write of its
 *       token, so a read never answers with data that a crash could still take back; a {@link #scan} task's (a
 *       read of many tokens) after the force of every earlier write, of any token;</li>
 *   <li>a completion never runs inside the call that submitted its task: it comes as a later event, so a caller
 *       may still change its own state after a submission returned true (anti-entropy's line of waiting sessions
 *       relies on this);</li>
 *   <li>completions run on the protocol thread; a task that throws completes with the failure (a
 *       {@link io.ringkv.api.KvException}; anything else is wrapped as {@code STORAGE_FAILURE});</li>
 *   <li>a force that fails for want of space ({@code DISK_FULL} from {@link StorageEngine#flush()}: the engine
 *       keeps what was applied, and a later force writes it) fails no write: the write tasks it would have covered
 *       wait for a later force that succeeds, which the stage tries again and again after a pause; while they
 *       wait, the stage may refuse new write tasks with {@code DISK_FULL}, unapplied (they could not be
 *       acknowledged before the disk has room, and a coordinator may hand its write to another replica). A
 *       coordinator that heard of such a write as failed would not send it on, and the write, applied here, would
 *       later become durable here alone. Any other failed force fails every write task
 *       it would have covered (those waiting from earlier failures for space too): what it lost is unknown;</li>
 *   <li>the stage is bounded: a submission it cannot take is refused at once (the method returns false, nothing
 *       runs and the completion is never called), so the protocol thread never waits.</li>
 * </ul>
 * Tasks must touch nothing but the engine and their own inputs: they run on another thread than the protocol
 * state they were created from.
 */
public interface StorageStage {

    /**
     * Queues a read.
     *
     * @param token the token of the key the task reads (orders it after earlier tasks of that token)
     * @param task the work, run on a storage thread
     * @param completion called once on the protocol thread with the task's result or failure
     * @return false when the stage is full: nothing will run and {@code completion} is never called
     */
    <T> boolean read(long token, StorageTask<T> task, StorageCompletion<T> completion);

    /**
     * Queues a read of many tokens (a page of a client's scan): like {@link #read}, and its completion waits for the
     * force of every write task submitted before it, whatever its token, so a listing never shows data a crash could
     * still take back.
     *
     * @param token orders the task after earlier tasks of this token (the range's last, say)
     * @return false when the stage is full: nothing will run and {@code completion} is never called
     */
    <T> boolean scan(long token, StorageTask<T> task, StorageCompletion<T> completion);

    /**
     * Queues a write: like {@link #read}, and the completion waits for a force covering the task's engine writes.
     *
     * @return false when the stage is full: nothing will run and {@code completion} is never called
     */
    <T> boolean write(long token, StorageTask<T> task, StorageCompletion<T> completion);

    /**
     * What a stage reports to the tasks a failed force fails: every write task it would have covered, unless it
     * failed for want of space ({@code DISK_FULL}: those writes wait for a later force, see the class comment), and
     * every read waiting for it. {@code DISK_FULL} would tell a coordinator that nothing was written, so that another
     * replica may take the write; these writes were applied and may yet become durable with a later force, so it is
     * reported as a storage failure instead. Anything but a {@link io.ringkv.api.KvException} is wrapped as one.
     */
    static io.ringkv.api.KvException forceFailure(Throwable failure) {
        if (failure instanceof io.ringkv.api.KvException e) {
            return e.code() == io.ringkv.api.ErrorCode.DISK_FULL
                ? new io.ringkv.api.KvException(io.ringkv.api.ErrorCode.STORAGE_FAILURE,
                    "storage force failed, after the write was applied: " + e.getMessage())
                : e;
        }
        return new io.ringkv.api.KvException(io.ringkv.api.ErrorCode.STORAGE_FAILURE,
            "storage force failed: " + failure);
    }

    /**
     * @return true when a force failed for want of space only ({@code DISK_FULL} from
     *     {@link StorageEngine#flush()}): the writes it should have covered stay applied, and wait for a later force
     */
    static boolean forceWaitsForSpace(Throwable failure) {
        return failure instanceof io.ringkv.api.KvException e && e.code() == io.ringkv.api.ErrorCode.DISK_FULL;
    }

    /**
     * @return what a stage reports to a write task it refuses, unapplied, while {@code waiting} write tasks wait for
     *     a force that succeeds (see the class comment): {@code DISK_FULL}, since nothing was written
     */
    static io.ringkv.api.KvException refusedWhileWaitingForSpace(long waiting) {
        return new io.ringkv.api.KvException(io.ringkv.api.ErrorCode.DISK_FULL, "no space left for storage: "
            + waiting + " writes already wait for space");
    }
}

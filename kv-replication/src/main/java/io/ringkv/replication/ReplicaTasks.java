package io.ringkv.replication;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.Dot;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.replication.internal.ExpiredCopies;
import io.ringkv.replication.internal.MessageSizes;
import io.ringkv.replication.internal.SiblingCodec;
import io.ringkv.storage.RecordListener;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The replica's storage work, run by the node's storage stage on a storage thread: read a key's versions, resolve a
 * write into them and store the result. Pure functions of their inputs and the engine; no protocol state, no
 * counters (the replica counts what each task reports once its completion is back on the agent thread). The stage
 * runs one token's tasks in order, so each read-resolve-write of a key sees the one before it. Every record it writes
 * is reported to the settings' {@link RecordListener} with the record it replaced (already read to resolve), so
 * the node's anti-entropy trees follow every replica write, repair merge and hint delivery without another read.
 */
final class ReplicaTasks {
    private ReplicaTasks() {
    }

    /** How a resolve-and-store task ended. */
    enum Change {
        /** The key's versions changed and were written. */
        WRITTEN,
        /** The key already reflected the write: nothing was written. */
        UNCHANGED,
        /** The key would exceed its sibling limit: nothing was written. */
        SIBLING_LIMIT,
        /**
         * The key's versions would not fit one replication message (only versions bigger than this node's settings
         * allow, from a peer configured otherwise, can do that): nothing was written, so every set a replica holds
         * can be sent.
         */
        TOO_LARGE
    }

    /** @param state the key's versions after the task @param change what the task did */
    record Stored(SiblingSet state, Change change) {
    }

    /**
     * @param written the client's write, with the dot this replica issued
     * @param stored what the task did to the key
     * @param supersededLive the write superseded a live value this replica held
     * @param prunedEntries clock entries dropped from a blind write's past to keep it bounded
     */
    record Coordinated(Versioned written, Stored stored, boolean supersededLive, int prunedEntries) {
        /** A change of expiry that found the value it replaces gone ({@link Expiry#onlyIfLive()}): no dot, no write. */
        static final Coordinated NOTHING = new Coordinated(null, null, false, 0);
    }

    /**
     * @return the versions held for the key, empty when none
     * @throws KvException with {@code STORAGE_FAILURE} when the engine fails or the record is corrupt
     */
    static SiblingSet read(StorageEngine engine, long token, Key key, Limits limits) {
        return decode(engine.get(token, key), limits);
    }

    private static SiblingSet decode(StorageRecord record, Limits limits) {
        return record == null ? SiblingSet.EMPTY : SiblingCodec.decode(record, limits);
    }

    /** Resolves {@code incoming} into the key's versions and writes the result when it changed them. */
    static Stored apply(StorageEngine engine, long token, Key key, List<Versioned> incoming, Settings settings) {
        StorageRecord held = engine.get(token, key);
        return resolveAndStore(engine, token, key, held, decode(held, settings.limits), incoming, settings);
    }

    /**
     * Like {@link #apply}, for a record a repair brought, except that a key this replica holds nothing for does not
     * take a tombstone older than {@code forgetBeforeMillis} (the tombstone grace): other replicas may have purged
     * it, and there is nothing here for it to delete. A value that expired counts as a tombstone written at its
     * expiry (as compaction keeps it), so one expired before the grace is not taken either. Taking it would hand it back to a replica that purged it, which
     * would hand it back again after its own purge, forever.
     */
    static Stored applyRepaired(StorageEngine engine, long token, Key key, List<Versioned> incoming,
                                long forgetBeforeMillis, Settings settings) {
        StorageRecord held = engine.get(token, key);
        SiblingSet current = decode(held, settings.limits);
        if (current.isEmpty() && allTombstonesBefore(incoming, forgetBeforeMillis)) {
            return new Stored(current, Change.UNCHANGED);
        }
        return resolveAndStore(engine, token, key, held, current, incoming, settings);
    }

    /**
     * @return true when every version stopped reading as a value before {@code millis}: deletes written, and values
     *     that expired, before it (what a replica holding nothing for the key need not take, {@link #applyRepaired})
     */
    static boolean allTombstonesBefore(List<Versioned> incoming, long millis) {
        for (Versioned versioned : incoming) {
            if (deletedAt(versioned) >= millis) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return when {@code versioned} stopped reading as a value: a delete's write time; for a value with an expiry
     *     (or the tombstone a compaction kept of it), its expiry, from which the tombstone grace counts as it does
     *     in the engines' purge (or its stamp, when later: a blind write stamped after a version from a clock ahead
     *     may expire before its own stamp); {@code Long.MAX_VALUE} for a value that never expires
     */
    private static long deletedAt(Versioned versioned) {
        Version version = versioned.version();
        if (version.expires()) {
            return Math.max(version.timestamp().physicalMillis(), version.expiresAtMillis());
        }
        return versioned.isTombstone() ? version.timestamp().physicalMillis() : Long.MAX_VALUE;
    }

    /**
     * Issues the write's dot and stores it. The dot's counter exceeds every counter of {@code self} among the key's
     * stored dots and pasts and the write's past, and is at least {@code reservedCounter} (unique to this incarnation
     * of the node, reserved on the agent thread), so it is new for the key.
     *
     * @param nowMillis this replica's wall clock: what held lives by it is what the write replaces as live (as a read
     *     here would answer), and a change of expiry of a value gone by then writes nothing
     * @param past what the write supersedes (the client's context, pruned); null for a blind write, which
     *     supersedes every version this replica holds and, under last-write-wins, is stamped after all of them
     * @param markChange whether a change of expiry is marked in its version ({@link Version#expiryChange()}): not
     *     while a member of an earlier build, which drops marked versions, may receive it
     * @return the write, or {@link Coordinated#NOTHING} for a change of expiry of a value gone by {@code nowMillis}
     * @throws KvException with {@code INVALID_ARGUMENT} when the key's counters leave no next dot, {@code DISK_FULL}
     *     or {@code STORAGE_FAILURE} from the engine; nothing was stored then
     */
    static Coordinated coordinate(StorageEngine engine, long token, Key key, Value value, Expiry expiry,
                                  VectorClock past, HybridTimestamp readLatest, HybridTimestamp timestamp,
                                  long nowMillis, NodeId self, long reservedCounter, boolean markChange,
                                  Settings settings) {
        StorageRecord record = engine.get(token, key);
        SiblingSet current = decode(record, settings.limits);
        if (past != null) {
            refuseUnheldCountersAboveTheBound(past, current);
        }
        int pruned = 0;
        VectorClock supersedes = past;
        HybridTimestamp stamp = timestamp;
        if (past == null) {
            VectorClock seen = current.isEmpty() ? VectorClock.empty() : current.context().clock();
            // one entry is left for the write's own dot
            supersedes = seen.pruned(settings.maxClockEntries - 1);
            pruned = seen.size() - supersedes.size();
            stamp = after(timestamp, current);
        }
        long keyHighest = Math.max(highestCounter(current, self), supersedes.counter(self));
        Dot dot = new Dot(self, nextCounter(self, keyHighest, reservedCounter));
        // what the write replaces, as a reader sees it now: an expired value is not there to keep or to report
        boolean supersededLive = false;
        boolean changedSince = false;
        Versioned newestReplaced = null;
        // a change of expiry writes again the value its coordinator read: it yields to any write that saw all it saw
        boolean change = past != null && expiry.onlyIfLive() && value != null;
        // live as a read here would answer now: by this replica's wall clock, which a hybrid timestamp drawn ahead
        // by a peer's clock (up to a minute) is not
        for (Versioned held : current.visibleAt(nowMillis).versions()) {
            if (supersedes.covers(held.version().dot())) {
                supersededLive |= !held.isTombstone();
                // the set is in last-write-wins order: the last one covered is the one GET answers of them
                newestReplaced = held;
            } else if (change && !held.isTombstone() && value.equals(held.value())
                && isChangeOfWhatWasRead(held.version(), supersedes)) {
                changedSince = true;
            }
        }
        if (expiry.onlyIfLive() && value != null && !supersededLive && !changedSince && !current.isEmpty()
            && current.context().clock().covers(supersedes)) {
            // this replica has seen all the client's read saw (it holds it, expired, or a delete superseded it) and
            // none of it lives here now: the value whose expiry the client changes is gone
            // since it was read, and writing it again would bring it back. A replica that has not seen all of it
            // (it missed the newest write) writes it: what it holds of the key may be older than the value read. One
            // that holds a live change of expiry of this value that the read missed holds the value still, in it.
            return Coordinated.NOTHING;
        }
        // KEEPTTL keeps what TTL reports: the expiry of the value GET answers, none when that is a delete
        long kept = newestReplaced == null || newestReplaced.isTombstone() ? Version.NEVER
            : newestReplaced.version().expiresAtMillis();
        // a time to live counts from this replica's clock: a blind write stamped after a version from a clock that ran
        // ahead (an hour, say) takes that stamp for last-write-wins' order, not for how long its value lives
        long expiresAt = value == null ? Version.NEVER : expiry.resolve(timestamp, kept);
        if (change) {
            stamp = changeStamp(readLatest, current, supersedes);
        }
        Version version = new Version(dot, supersedes, stamp, expiresAt, change && markChange);
        Versioned written = value == null ? Versioned.tombstone(version) : Versioned.of(version, value);
        Stored stored = resolveAndStore(engine, token, key, record, current, List.of(written), settings);
        return new Coordinated(written, stored, supersededLive, pruned);
    }

    /**
     * @return true when {@code held} is a change of expiry of what a read covering {@code past} saw, which that read
     *     missed: marked, made from no more than it saw (whatever supersedes the held change then covers the new
     *     one's past too, and the new one yields to it); unmarked (made while a member of an earlier build ran),
     *     made from exactly what it saw. An unmarked version made from less may be a plain write of the same bytes
     *     beside a sibling the read saw: a delete of that write alone would not cover the new change's past, and
     *     the change would bring the value back beside it
     */
    private static boolean isChangeOfWhatWasRead(Version held, VectorClock past) {
        return past.covers(held.past()) && (held.expiryChange() || held.past().covers(past));
    }

    /**
     * A change of expiry makes no value: it is stamped one logical tick after the newest version it replaces (the
     * latest its read saw, or one held here that its past covers), not by the clock that coordinates it. So every
     * write that saw the value it read, stamped after that value, orders after the change under last-write-wins (an
     * equal stamp orders a change first, {@link Version#LWW_ORDER}): a {@code DEL} or {@code SET} racing it wins
     * wherever the two meet, as if the change came first, even where no second round settled them (its coordinator
     * cut off, its copies spread by hints or repair); under vector clocks GET answers such a sibling before the
     * change. The change still wins over all it replaces, and its time to live still counts from its coordinator's
     * clock ({@code timestamp}). Two changes of the same value made one after the other, where the second's read
     * missed the first (R + W at most N, or a stand-in's acknowledgement), draw the same stamp and are ordered by
     * writer id, then by dot counter (so by the order they were made when one replica coordinated both), not by time:
     * stamping the second after the first would let it win over a {@code DEL} that saw the value and drew the
     * first's stamp.
     */
    private static HybridTimestamp changeStamp(HybridTimestamp readLatest, SiblingSet current, VectorClock past) {
        HybridTimestamp newest = readLatest == null ? HybridTimestamp.ZERO : readLatest;
        for (Versioned held : current.versions()) {
            HybridTimestamp stored = held.version().timestamp();
            if (past.covers(held.version().dot()) && stored.isAfter(newest)) {
                newest = stored;
            }
        }
        return tick(newest);
    }

    private static HybridTimestamp tick(HybridTimestamp stored) {
        return stored.logical() == Integer.MAX_VALUE ? new HybridTimestamp(stored.physicalMillis() + 1, 0)
            : new HybridTimestamp(stored.physicalMillis(), stored.logical() + 1);
    }

    /**
     * A blind write is stamped after every version it replaces, so that under last-write-wins a replica whose wall
     * clock runs behind the one that wrote them cannot make the new write lose (the skew safety that reading before
     * writing used to give).
     */
    private static HybridTimestamp after(HybridTimestamp timestamp, SiblingSet current) {
        HybridTimestamp latest = timestamp;
        for (Versioned held : current.versions()) {
            HybridTimestamp stored = held.version().timestamp();
            if (!latest.isAfter(stored)) {
                latest = tick(stored);
            }
        }
        return latest;
    }

    /**
     * A context's counter above {@link Dot#MAX_COUNTER} was never issued freely: it is the next dot of a key whose
     * history a context at the bound raised, and only a read of that key gives it. So it is taken only when this
     * replica's copy of the key holds it; a larger one is forged, and would raise the key's counters a step closer to
     * the last one no dot can follow. Each write thus raises a counter above the bound by one at most.
     *
     * @throws KvException with {@code INVALID_ARGUMENT} for a counter above the bound this replica does not hold
     */
    private static void refuseUnheldCountersAboveTheBound(VectorClock past, SiblingSet current) {
        VectorClock held = null;
        for (int i = 0; i < past.size(); i++) {
            long counter = past.counterAt(i);
            if (counter <= Dot.MAX_COUNTER) {
                continue;
            }
            if (held == null) {
                held = current.isEmpty() ? VectorClock.empty() : current.context().clock();
            }
            if (held.counter(past.node(i)) < counter) {
                throw new KvException(ErrorCode.INVALID_ARGUMENT, "the causal context's counter of " + past.node(i)
                    + " is " + counter + ", above " + Dot.MAX_COUNTER + ", and this replica's copy of the key holds"
                    + " no such dot: it was never issued; read the key again (GETV)");
            }
        }
    }

    private static long nextCounter(NodeId self, long keyHighest, long reservedCounter) {
        try {
            return Math.max(Math.addExact(keyHighest, 1), reservedCounter);
        } catch (ArithmeticException e) {
            // reached only after 2^62 writes to a key above Dot.MAX_COUNTER (each raises it by one); refused, never
            // thrown as a bug
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "the key's causal history holds counter " + keyHighest
                + " for node " + self + ", and no further dot of that node fits");
        }
    }

    private static long highestCounter(SiblingSet current, NodeId self) {
        long highest = 0;
        for (Versioned versioned : current.versions()) {
            Version version = versioned.version();
            long own = version.writer().equals(self) ? version.dot().counter() : 0;
            highest = Math.max(highest, Math.max(own, version.past().counter(self)));
        }
        return highest;
    }

    private static Stored resolveAndStore(StorageEngine engine, long token, Key key, StorageRecord held,
                                          SiblingSet current, List<Versioned> incoming, Settings settings) {
        List<Versioned> all = new ArrayList<>(current.versions());
        all.addAll(incoming);
        SiblingSet resolved = settings.resolver.resolve(ExpiredCopies.collapse(all));
        // a record in an older format is rewritten even for the same set: peers that stored the set since hold the
        // current format's bytes, which anti-entropy would otherwise find different at every repair
        if (resolved.equals(current) && (held == null || SiblingCodec.isCurrentFormat(held.version()))) {
            return new Stored(resolved, Change.UNCHANGED);
        }
        if (resolved.size() > settings.maxSiblings) {
            return new Stored(current, Change.SIBLING_LIMIT);
        }
        if (!fitsOneMessage(key, resolved)) {
            return new Stored(current, Change.TOO_LARGE);
        }
        byte[] versions = SiblingCodec.encodeVersions(resolved);
        StorageKey storageKey = new StorageKey(token, key);
        StorageRecord written;
        if (resolved.isDeleted()) {
            engine.delete(token, key, versions);
            written = StorageRecord.tombstone(storageKey, versions);
        } else {
            byte[] values = SiblingCodec.encodeValues(resolved);
            engine.put(token, key, versions, values);
            written = StorageRecord.live(storageKey, versions, values);
        }
        // after the engine took it: a write the engine refused (disk full) changed nothing to report
        settings.listener.replaced(held, written);
        return new Stored(resolved, Change.WRITTEN);
    }

    /** @return true when {@code set} fits the largest message that carries it: a HintedPut for any owner */
    private static boolean fitsOneMessage(Key key, SiblingSet set) {
        return MessageSizes.hintedPut(key.length(), set.versions(), NodeId.MAX_LENGTH)
            <= ReplicationConfig.MAX_MESSAGE_BYTES;
    }

    /**
     * What the tasks need of the replica's configuration; immutable, shared with the storage thread.
     *
     * @param listener told of every record written, with the record it replaced (thread-safe)
     */
    record Settings(ConflictResolver resolver, Limits limits, int maxSiblings, int maxClockEntries,
                    RecordListener listener) {
    }
}

package io.ringkv.replication;

import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.VersionEncoding;
import io.ringkv.api.Versioned;
import io.ringkv.ring.Partitioner;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The hint store's storage work, run on the hint storage stage: hints live in an engine of their own (never in the
 * data engine, whose scans feed Merkle trees and streaming), one contiguous run of records per owner. A hint's
 * record sits under the owner's token (a hash of its id) and the key {@code owner id, 0, sequence} (big-endian), so
 * one owner's hints scan in the order they were written. The record's value is the hinted write (key, original
 * token, every version) with a CRC-32C over it in the record's version blob; a hint whose CRC does not match is
 * reported as corrupt, never delivered. Beside an owner's hints, under its token, may sit its down mark (key
 * {@code owner id, 1}: see {@link #storeDownMark}). Pure functions of the engine and their inputs.
 */
final class HintTasks {
    /** Format 2: versions carry their expiry. Format 1 (versions without it, which never expire) is still read. */
    private static final byte FORMAT = 2;
    private static final byte PRE_EXPIRY_FORMAT = 1;
    /** The byte after the owner's id in the key of its down mark (a hint's key has a 0 byte there). */
    private static final byte MARK = 1;
    /** A down mark's version: format and down-since millis (its value: the owner's run, empty when unknown). */
    private static final int MARK_BYTES = 1 + Long.BYTES;
    private static final long[] NO_MARK = {Long.MIN_VALUE, 0};
    /** Format byte, created millis, CRC-32C. */
    private static final int HEADER_BYTES = 1 + 8 + 4;
    /**
     * Room per version for its flag, lengths and encoded version beyond its value: a version with a full clock of
     * the longest node ids takes about 1.4 KB.
     */
    private static final int PER_VERSION_OVERHEAD = 4096;

    private HintTasks() {
    }

    /**
     * A hint: a write (every version of a key a coordinator had) for a replica that did not take it.
     *
     * @param owner the replica the hint is for
     * @param sequence orders one holder's hints; unique per holder across restarts
     * @param createdMillis when it was hinted (wall clock), for the operator
     * @param token the key's ring token
     * @param bytes the hint's size on the hint store (value and key)
     */
    record Hint(NodeId owner, long sequence, long createdMillis, long token, Key key, List<Versioned> versions,
                int bytes) {
    }

    /**
     * One owner's hints found by {@link #summarize}: how many, how many bytes, the corrupt ones, and since when the
     * owner was down by the holder's mark ({@link #storeDownMark}; {@link Long#MIN_VALUE} without one), and the run
     * of the owner the mark is of ({@code downGeneration}: its gossip generation then, 0 when unknown).
     */
    record Summary(int count, long bytes, List<Long> corrupt, long downSinceMillis, long downGeneration) {
        /** @return true when the owner has hint records here (not only a mark) */
        boolean hasHints() {
            return count > 0 || !corrupt.isEmpty();
        }
    }

    /** One owner's next hints after a sequence, and the corrupt records among them. */
    record Batch(List<Hint> hints, List<Corrupt> corrupt, boolean more) {
    }

    /**
     * A record that did not decode as a hint.
     *
     * @param bytes what {@link #store} counted for it, as far as the record still tells: its value's length and the
     *     key's length written in it, or the value's length alone when that length is not plausible
     */
    record Corrupt(long sequence, int bytes) {
    }

    /** @return the limits to open the hint engine with: a whole sibling set of the largest values fits one hint */
    static Limits engineLimits(ReplicationConfig config) {
        Limits limits = config.limits();
        long value = 8 + 4 + (long) limits.maxKeyBytes() + 2
            + (long) config.maxSiblings() * (limits.maxValueBytes() + PER_VERSION_OVERHEAD);
        return new Limits(NodeId.MAX_LENGTH + 1 + 8, (int) Math.min(Integer.MAX_VALUE, value));
    }

    /** @return the token all of {@code owner}'s hints are stored under */
    static long ownerToken(NodeId owner) {
        return Partitioner.token(Key.utf8("hints/" + owner.value()));
    }

    /** @return the size {@link #store} will give the hint */
    static int size(Key key, List<Versioned> versions) {
        return encode(key, versions).length + key.toByteArray().length;
    }

    /** Writes the hint (the stage forces it before completing). */
    static Hint store(StorageEngine engine, NodeId owner, long sequence, long createdMillis, long token, Key key,
                      List<Versioned> versions) {
        byte[] value = encode(token, key, versions);
        CRC32C crc = new CRC32C();
        crc.update(value);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).put(FORMAT).putLong(createdMillis)
            .putInt((int) crc.getValue());
        engine.put(ownerToken(owner), recordKey(owner, sequence), header.array(), value);
        return new Hint(owner, sequence, createdMillis, token, key, versions, value.length + key.toByteArray().length);
    }

    /**
     * Marks {@code owner} down since {@code sinceMillis} (wall clock), in its run {@code generation} (its gossip
     * generation, 0 when unknown), beside its hints: a holder that restarts while the owner stays down, in that run,
     * dates the owner's hint window from it. One record per owner, under a key no hint has (the owner's id and a 1
     * byte, where a hint's has a 0 byte and a sequence), at the owner's hint token.
     */
    static void storeDownMark(StorageEngine engine, NodeId owner, long sinceMillis, long generation) {
        // the run goes in the value, so that a node of an earlier version, which reads the version alone, still
        // reads (and deletes) the mark
        engine.put(ownerToken(owner), markKey(owner), ByteBuffer.allocate(MARK_BYTES).put(FORMAT).putLong(sinceMillis)
            .array(), ByteBuffer.allocate(Long.BYTES).putLong(generation).array());
    }

    /** Deletes {@code owner}'s down mark (it was heard alive, or left the ring). */
    static void deleteDownMark(StorageEngine engine, NodeId owner) {
        engine.delete(ownerToken(owner), markKey(owner), new byte[] {FORMAT});
    }

    private static Key markKey(NodeId owner) {
        byte[] id = owner.value().getBytes(StandardCharsets.UTF_8);
        return Key.of(ByteBuffer.allocate(id.length + 1).put(id).put(MARK).array());
    }

    /** @return the owner of a down mark with a readable time, or null for any other record */
    private static NodeId markOwnerOf(StorageRecord record) {
        byte[] key = record.key().toByteArray();
        if (key.length < 2 || key[key.length - 1] != MARK || record.version().length != MARK_BYTES
            || record.version()[0] != FORMAT) {
            return null;
        }
        String id = new String(key, 0, key.length - 1, StandardCharsets.UTF_8);
        return NodeId.isValid(id) ? NodeId.of(id) : null;
    }

    /** Deletes the hint (delivered, or corrupt). */
    static void delete(StorageEngine engine, NodeId owner, long sequence) {
        engine.delete(ownerToken(owner), recordKey(owner, sequence), new byte[] {FORMAT});
    }

    /**
     * @return up to {@code maxCount} of {@code owner}'s hints after {@code afterSequence} (and at most about
     *     {@code maxBytes}), oldest first, with the corrupt records met on the way
     */
    static Batch next(StorageEngine engine, NodeId owner, long afterSequence, int maxCount, long maxBytes,
                      Limits limits) {
        long token = ownerToken(owner);
        List<Hint> hints = new ArrayList<>();
        List<Corrupt> corrupt = new ArrayList<>();
        boolean[] more = {false};
        long[] bytes = {0};
        engine.scan(token - 1, token, record -> {
            long sequence = sequenceOf(record, owner);
            if (sequence == Long.MIN_VALUE || sequence <= afterSequence || record.isTombstone()) {
                return true;
            }
            if (hints.size() >= maxCount || bytes[0] >= maxBytes) {
                more[0] = true;
                return false;
            }
            Hint hint = decode(record, owner, sequence, limits);
            if (hint == null) {
                corrupt.add(new Corrupt(sequence, countedBytes(record.value())));
            } else {
                hints.add(hint);
                bytes[0] += hint.bytes();
            }
            return true;
        });
        return new Batch(hints, corrupt, more[0]);
    }

    /**
     * @return every owner's live hints up to {@code upToSequence} (those of earlier runs): count and bytes, and its
     *     down mark; an owner with a mark and no hint is there too. Read once when the node starts
     */
    static Map<NodeId, Summary> summarize(StorageEngine engine, Limits limits, long upToSequence) {
        Map<NodeId, int[]> counts = new HashMap<>();
        Map<NodeId, long[]> sizes = new HashMap<>();
        Map<NodeId, List<Long>> corrupt = new HashMap<>();
        Map<NodeId, long[]> marks = new HashMap<>();
        engine.scan(0, 0, record -> {
            if (record.isTombstone()) {
                return true;
            }
            NodeId marked = markOwnerOf(record);
            if (marked != null) {
                byte[] run = record.value();
                // a mark from before the run was kept has an empty value: its run is unknown (0)
                marks.put(marked, new long[] {ByteBuffer.wrap(record.version(), 1, Long.BYTES).getLong(),
                    run.length >= Long.BYTES ? ByteBuffer.wrap(run).getLong() : 0});
                return true;
            }
            NodeId owner = ownerOf(record);
            if (owner == null) {
                return true;
            }
            long sequence = sequenceOf(record, owner);
            if (sequence > upToSequence) {
                return true;
            }
            Hint hint = decode(record, owner, sequence, limits);
            if (hint == null) {
                corrupt.computeIfAbsent(owner, o -> new ArrayList<>()).add(sequence);
            } else {
                counts.computeIfAbsent(owner, o -> new int[1])[0]++;
                sizes.computeIfAbsent(owner, o -> new long[1])[0] += hint.bytes();
            }
            return true;
        });
        Map<NodeId, Summary> summaries = new HashMap<>();
        for (NodeId owner : union(counts.keySet(), corrupt.keySet(), marks.keySet())) {
            summaries.put(owner, new Summary(counts.getOrDefault(owner, new int[1])[0],
                sizes.getOrDefault(owner, new long[1])[0], corrupt.getOrDefault(owner, List.of()),
                marks.getOrDefault(owner, NO_MARK)[0], marks.getOrDefault(owner, NO_MARK)[1]));
        }
        return summaries;
    }

    @SafeVarargs
    private static List<NodeId> union(java.util.Set<NodeId>... owners) {
        java.util.Set<NodeId> all = new java.util.LinkedHashSet<>();
        for (java.util.Set<NodeId> some : owners) {
            all.addAll(some);
        }
        return List.copyOf(all);
    }

    private static Key recordKey(NodeId owner, long sequence) {
        byte[] id = owner.value().getBytes(StandardCharsets.UTF_8);
        return Key.of(ByteBuffer.allocate(id.length + 1 + 8).put(id).put((byte) 0).putLong(sequence).array());
    }

    /** @return the owner a record's key names, or null when the key is not a hint's */
    private static NodeId ownerOf(StorageRecord record) {
        byte[] key = record.key().toByteArray();
        if (key.length < 10 || key[key.length - 9] != 0) {
            return null;
        }
        String id = new String(key, 0, key.length - 9, StandardCharsets.UTF_8);
        return NodeId.isValid(id) ? NodeId.of(id) : null;
    }

    /** @return the sequence of {@code owner}'s hint, or {@code Long.MIN_VALUE} when the record is another owner's */
    private static long sequenceOf(StorageRecord record, NodeId owner) {
        byte[] key = record.key().toByteArray();
        byte[] id = owner.value().getBytes(StandardCharsets.UTF_8);
        if (key.length != id.length + 9 || key[id.length] != 0
            || !java.util.Arrays.equals(key, 0, id.length, id, 0, id.length)) {
            return Long.MIN_VALUE;
        }
        return ByteBuffer.wrap(key, id.length + 1, 8).getLong();
    }

    private static byte[] encode(Key key, List<Versioned> versions) {
        return encode(0, key, versions);
    }

    private static byte[] encode(long token, Key key, List<Versioned> versions) {
        byte[] keyBytes = key.toByteArray();
        List<byte[]> encoded = new ArrayList<>(versions.size() * 2);
        int size = 8 + 4 + keyBytes.length + 2;
        for (Versioned versioned : versions) {
            byte[] version = VersionEncoding.encodeVersion(versioned.version());
            byte[] value = versioned.isTombstone() ? new byte[0] : versioned.value().toByteArray();
            encoded.add(version);
            encoded.add(value);
            size += 1 + 4 + version.length + 4 + value.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putLong(token).putInt(keyBytes.length).put(keyBytes)
            .putShort((short) versions.size());
        for (int i = 0; i < versions.size(); i++) {
            byte[] version = encoded.get(2 * i);
            byte[] value = encoded.get(2 * i + 1);
            out.put((byte) (versions.get(i).isTombstone() ? 1 : 0)).putInt(version.length).put(version)
                .putInt(value.length).put(value);
        }
        return out.array();
    }

    /** @return the bytes {@link #store} counted for a hint whose value is {@code value}, as far as it tells */
    private static int countedBytes(byte[] value) {
        if (value == null) {
            return 0;
        }
        // the value starts with the key's token, then the key's length and bytes
        int keyLength = value.length >= Long.BYTES + Integer.BYTES ? ByteBuffer.wrap(value).getInt(Long.BYTES) : -1;
        return keyLength >= 0 && keyLength <= value.length - Long.BYTES - Integer.BYTES ? value.length + keyLength
            : value.length;
    }

    /** @return the hint, or null when its record is corrupt (bad CRC, format or encoding) */
    private static Hint decode(StorageRecord record, NodeId owner, long sequence, Limits limits) {
        try {
            ByteBuffer header = ByteBuffer.wrap(record.version());
            byte[] value = record.value();
            byte format = header.remaining() == HEADER_BYTES ? header.get() : 0;
            if (format != FORMAT && format != PRE_EXPIRY_FORMAT || value == null) {
                return null;
            }
            long createdMillis = header.getLong();
            CRC32C crc = new CRC32C();
            crc.update(value);
            if ((int) crc.getValue() != header.getInt()) {
                return null;
            }
            ByteBuffer in = ByteBuffer.wrap(value);
            long token = in.getLong();
            byte[] keyBytes = new byte[in.getInt()];
            in.get(keyBytes);
            Key key = Key.of(keyBytes, limits);
            int count = in.getShort();
            List<Versioned> versions = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                boolean tombstone = in.get() == 1;
                byte[] version = new byte[in.getInt()];
                in.get(version);
                byte[] bytes = new byte[in.getInt()];
                in.get(bytes);
                Version stamp = format == FORMAT ? VersionEncoding.decodeVersion(version)
                    : VersionEncoding.readVersionWithoutExpiry(ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN));
                versions.add(tombstone ? Versioned.tombstone(stamp) : Versioned.of(stamp, Value.of(bytes, limits)));
            }
            if (count < 1 || in.hasRemaining() || token != Partitioner.token(key)) {
                return null;
            }
            return new Hint(owner, sequence, createdMillis, token, key, versions, value.length + keyBytes.length);
        } catch (RuntimeException e) {
            // a negative length, a short buffer, a version or key the codecs refuse: the record is corrupt
            return null;
        }
    }
}

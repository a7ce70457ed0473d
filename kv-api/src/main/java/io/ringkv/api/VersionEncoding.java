package io.ringkv.api;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of versions, shared by the wire, the storage records and client contexts. Little-endian:
 * <pre>
 * clock     := entries:u16 { idLength:u8 id:ASCII counter:i64 updatedMillis:i64 }*
 * version   := dotIdLength:u8 dotId:ASCII dotCounter:i64 past:clock physicalMillis:i64 logical:i32
 *              expiry:i64           (bits 0-62: expiresAtMillis; bit 63: {@link Version#expiryChange()})
 * context   := 'C' formatVersion:u8(=3) clock latestPhysicalMillis:i64 latestLogical:i32
 * </pre>
 * The version layout itself carries no format number: the wire (the replication schema's version) and the storage
 * record (its format byte) say which layout they hold. Versions stored before expiry existed lack the last field
 * ({@link #readVersionWithoutExpiry}); they never expire. The change-of-expiry bit came later still, in a field no
 * earlier version set it in (an instant is never negative), so every stored version reads as before; a node of an
 * earlier build refuses a version with the bit as malformed. Context format 2 (the clock alone, without the highest
 * timestamp of the versions read) is still read, with {@link HybridTimestamp#ZERO} as its timestamp. Context format 1
 * was the vector clock of before dotted version vectors; it is refused with a message that says so.
 * Decoding checks every length and value and fails with {@link ErrorCode#INVALID_ARGUMENT}, never with an
 * unchecked buffer error; it takes time linear in the input (a client's context is decoded on the agent thread).
 * A context's counters must be at least 1. One above {@link Dot#MAX_COUNTER} is decoded, and taken only by a replica
 * whose copy of the key holds it (a key a context at the bound was written to goes on above it).
 */
public final class VersionEncoding {
    private static final byte CONTEXT_MAGIC = 'C';
    private static final byte CONTEXT_FORMAT = 3;
    private static final byte CLOCK_ONLY_CONTEXT_FORMAT = 2;
    private static final byte PRE_DOT_CONTEXT_FORMAT = 1;
    private static final int MAX_ENTRIES = 0xFFFF;
    /** The expiry field's top bit: the version is a change of expiry. */
    private static final long EXPIRY_CHANGE_BIT = Long.MIN_VALUE;
    /** The fewest bytes an entry takes: a one-character id, its counter and its update time. */
    private static final int MIN_ENTRY_BYTES = 1 + 1 + 2 * Long.BYTES;

    /**
     * The bytes of a version besides its ids and its past's entries: the dot id's length byte, the dot counter, the
     * past's entry count, the hybrid timestamp and the expiry. A field added to the version layout is added here too,
     * so that {@link #maxVersionLength} (and the message-size check built on it) stays exact.
     */
    public static final int VERSION_FIXED_BYTES = 1 + Long.BYTES + Short.BYTES + Long.BYTES + Integer.BYTES
        + Long.BYTES;
    /** The most bytes one clock entry takes: a {@link NodeId#MAX_LENGTH}-character id, its counter and update time. */
    public static final int MAX_ENTRY_BYTES = 1 + NodeId.MAX_LENGTH + 2 * Long.BYTES;

    private VersionEncoding() {
    }

    /**
     * @param pastEntries the most entries a version's past holds
     * @return the most bytes {@link #writeVersion} writes for such a version, with ids of the longest length
     */
    public static int maxVersionLength(int pastEntries) {
        return VERSION_FIXED_BYTES + NodeId.MAX_LENGTH + pastEntries * MAX_ENTRY_BYTES;
    }

    /** @return the bytes {@link #writeVersion} writes for {@code version} */
    public static int versionLength(Version version) {
        return 1 + version.writer().value().length() + Long.BYTES + clockLength(version.past()) + Long.BYTES
            + Integer.BYTES + Long.BYTES;
    }

    /** @return the encoded version */
    public static byte[] encodeVersion(Version version) {
        ByteBuffer buffer = ByteBuffer.allocate(versionLength(version)).order(ByteOrder.LITTLE_ENDIAN);
        writeVersion(buffer, version);
        return buffer.array();
    }

    /** Writes {@code version} at the buffer's position (little-endian buffers only). */
    public static void writeVersion(ByteBuffer buffer, Version version) {
        writeId(buffer, version.dot().node());
        buffer.putLong(version.dot().counter());
        writeClock(buffer, version.past());
        buffer.putLong(version.timestamp().physicalMillis());
        buffer.putInt(version.timestamp().logical());
        buffer.putLong(version.expiresAtMillis() | (version.expiryChange() ? EXPIRY_CHANGE_BIT : 0));
    }

    /** @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when {@code bytes} is not exactly one version */
    public static Version decodeVersion(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Version version = readVersion(buffer);
        requireConsumed(buffer, "version");
        return version;
    }

    /** Reads one version at the buffer's position. @throws KvException when malformed */
    public static Version readVersion(ByteBuffer buffer) {
        return readVersion(buffer, true);
    }

    /**
     * Reads one version in the layout from before expiry (no {@code expiresAtMillis}): it never expires.
     *
     * @throws KvException when malformed
     */
    public static Version readVersionWithoutExpiry(ByteBuffer buffer) {
        return readVersion(buffer, false);
    }

    private static Version readVersion(ByteBuffer buffer, boolean withExpiry) {
        try {
            NodeId writer = readId(buffer);
            Dot dot = new Dot(writer, buffer.getLong());
            VectorClock past = readClock(buffer, Long.MAX_VALUE);
            long physical = buffer.getLong();
            int logical = buffer.getInt();
            long expiry = withExpiry ? buffer.getLong() : Version.NEVER;
            return new Version(dot, past, new HybridTimestamp(physical, logical), expiry & ~EXPIRY_CHANGE_BIT,
                (expiry & EXPIRY_CHANGE_BIT) != 0);
        } catch (BufferUnderflowException e) {
            throw malformed("version is truncated");
        }
    }

    static byte[] encodeContext(CausalContext context) {
        ByteBuffer buffer = ByteBuffer.allocate(2 + clockLength(context.clock()) + Long.BYTES + Integer.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(CONTEXT_MAGIC).put(CONTEXT_FORMAT);
        writeClock(buffer, context.clock());
        buffer.putLong(context.latest().physicalMillis()).putInt(context.latest().logical());
        return buffer.array();
    }

    static CausalContext decodeContext(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (buffer.get() != CONTEXT_MAGIC) {
                throw malformed("not a ringkv causal context (bad magic)");
            }
            byte format = buffer.get();
            if (format == PRE_DOT_CONTEXT_FORMAT) {
                throw malformed("causal context format 1 is from before dotted version vectors and is no longer"
                    + " accepted; read the key again (GETV) for a current context");
            }
            if (format != CONTEXT_FORMAT && format != CLOCK_ONLY_CONTEXT_FORMAT) {
                throw malformed("causal context format " + (format & 0xFF) + " is unknown; this node reads formats "
                    + CLOCK_ONLY_CONTEXT_FORMAT + " and " + CONTEXT_FORMAT);
            }
            VectorClock clock = readClock(buffer, Long.MAX_VALUE);
            HybridTimestamp latest = format == CONTEXT_FORMAT ? readContextTimestamp(buffer) : HybridTimestamp.ZERO;
            requireConsumed(buffer, "causal context");
            return new CausalContext(clock, latest);
        } catch (BufferUnderflowException e) {
            throw malformed("causal context is truncated");
        }
    }

    private static HybridTimestamp readContextTimestamp(ByteBuffer buffer) {
        long physical = buffer.getLong();
        int logical = buffer.getInt();
        if (physical < 0 || logical < 0) {
            throw malformed("causal context timestamp parts must be at least 0, were " + physical + "/" + logical);
        }
        return new HybridTimestamp(physical, logical);
    }

    /**
     * @param entries the most entries a context's clock holds
     * @return the most bytes an encoded context of that many entries takes, with ids of the longest length
     */
    public static int maxContextLength(int entries) {
        return 2 + Short.BYTES + entries * MAX_ENTRY_BYTES + Long.BYTES + Integer.BYTES;
    }

    private static int clockLength(VectorClock clock) {
        int length = Short.BYTES;
        for (int i = 0; i < clock.size(); i++) {
            length += 1 + clock.node(i).value().length() + 2 * Long.BYTES;
        }
        return length;
    }

    private static void writeClock(ByteBuffer buffer, VectorClock clock) {
        buffer.putShort((short) clock.size());
        for (int i = 0; i < clock.size(); i++) {
            writeId(buffer, clock.node(i));
            buffer.putLong(clock.counterAt(i));
            buffer.putLong(clock.updatedMillisAt(i));
        }
    }

    /** Reads a clock into arrays once (no copy per entry), checking order and counters as it goes. */
    private static VectorClock readClock(ByteBuffer buffer, long maxCounter) {
        int entries = buffer.getShort() & MAX_ENTRIES;
        if ((long) entries * MIN_ENTRY_BYTES > buffer.remaining()) {
            throw malformed("vector clock claims " + entries + " entries but only " + buffer.remaining()
                + " bytes follow");
        }
        NodeId[] nodes = new NodeId[entries];
        long[] counters = new long[entries];
        long[] updated = new long[entries];
        for (int i = 0; i < entries; i++) {
            nodes[i] = readId(buffer);
            if (i > 0 && nodes[i - 1].compareTo(nodes[i]) >= 0) {
                throw malformed("vector clock entries are not in strictly ascending node order");
            }
            counters[i] = buffer.getLong();
            if (counters[i] < 1 || counters[i] > maxCounter) {
                throw malformed("vector clock counter of " + nodes[i] + " must be 1 to " + maxCounter + ", was "
                    + counters[i]);
            }
            updated[i] = buffer.getLong();
        }
        return VectorClock.ofSorted(nodes, counters, updated);
    }

    private static void writeId(ByteBuffer buffer, NodeId id) {
        byte[] bytes = id.value().getBytes(StandardCharsets.US_ASCII);
        buffer.put((byte) bytes.length).put(bytes);
    }

    private static NodeId readId(ByteBuffer buffer) {
        int length = buffer.get() & 0xFF;
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new NodeId(new String(bytes, StandardCharsets.US_ASCII));
    }

    private static void requireConsumed(ByteBuffer buffer, String what) {
        if (buffer.hasRemaining()) {
            throw malformed(what + " has " + buffer.remaining() + " trailing bytes");
        }
    }

    private static KvException malformed(String message) {
        return new KvException(ErrorCode.INVALID_ARGUMENT, message);
    }
}

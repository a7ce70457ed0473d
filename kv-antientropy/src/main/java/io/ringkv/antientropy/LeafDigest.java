package io.ringkv.antientropy;

import io.ringkv.api.Key;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What one replica holds in one differing leaf's slice: its (key, {@link KeyHash}) pairs, sorted by key, without
 * duplicates. {@link #compare(LeafDigest, LeafDigest)} turns two replicas' digests into the keys each must send
 * the other, so only differing keys' version sets move.
 *
 * <p>Bounded: a digest holds at most {@link #MAX_ENTRIES} entries and {@link #MAX_BYTES} of encoded entries
 * ({@link #encodedBytes(Key)} each: 4-byte length, key, 8-byte hash), so two digests of a session stay under
 * 4 MiB on the wire. A leaf of 1,024 in a range of a million keys holds about 1,000 keys (~40 KiB at 32-byte
 * keys). When the {@link Builder} refuses an entry, the leaf is too big for one digest: the caller splits the
 * leaf's slice by building a {@link RangeTree} over {@link RangeTree#leafRange(int)} (both replicas do the same)
 * and descends into it, as into the first tree. Immutable.
 */
public final class LeafDigest {
    /** The most entries one digest holds. */
    public static final int MAX_ENTRIES = 16_384;
    /** The most encoded bytes one digest holds. */
    public static final long MAX_BYTES = 2L * 1024 * 1024;

    private static final Comparator<Entry> BY_KEY = Comparator.comparing(Entry::key);

    private final List<Entry> entries;

    private LeafDigest(List<Entry> sortedEntries) {
        this.entries = sortedEntries;
    }

    /** One key and the hash of its state. */
    public record Entry(Key key, long hash) {
        /** @throws NullPointerException when the key is null */
        public Entry {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * What {@link #compare} concludes, from my side: keys to send (I hold a state they lack or that differs) and
     * keys to ask for (they hold a state I lack or that differs). A key whose hashes differ is in both lists: each
     * side sends its version set and the receiver merges. Both lists are sorted by key.
     */
    public record Comparison(List<Key> toSend, List<Key> toRequest) {
        /** Copies both lists. */
        public Comparison {
            toSend = List.copyOf(toSend);
            toRequest = List.copyOf(toRequest);
        }

        /** @return true when the digests agree on every key */
        public boolean isEmpty() {
            return toSend.isEmpty() && toRequest.isEmpty();
        }
    }

    /**
     * @return a digest of {@code entries} in any order (sorted here)
     * @throws IllegalArgumentException when a key appears twice or the bounds are exceeded
     */
    public static LeafDigest of(List<Entry> entries) {
        Builder builder = new Builder();
        for (Entry entry : entries) {
            if (!builder.add(entry.key(), entry.hash())) {
                throw new IllegalArgumentException("a leaf digest holds at most " + MAX_ENTRIES + " entries and "
                    + MAX_BYTES + " bytes; split the leaf");
            }
        }
        return builder.build();
    }

    /** @return the bytes one entry takes on the wire: a 4-byte key length, the key, the 8-byte hash */
    public static long encodedBytes(Key key) {
        return Integer.BYTES + key.length() + Long.BYTES;
    }

    /** @return the entries, sorted by key, unmodifiable */
    public List<Entry> entries() {
        return entries;
    }

    /** @return the entry count */
    public int size() {
        return entries.size();
    }

    /**
     * Compares my digest of a leaf with the peer's digest of the same leaf in one merge pass, O(mine + theirs).
     *
     * @return the keys I must send them and the keys I must ask them for
     */
    public static Comparison compare(LeafDigest mine, LeafDigest theirs) {
        List<Key> toSend = new ArrayList<>();
        List<Key> toRequest = new ArrayList<>();
        List<Entry> a = mine.entries;
        List<Entry> b = theirs.entries;
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            int order = i == a.size() ? 1 : j == b.size() ? -1 : a.get(i).key().compareTo(b.get(j).key());
            if (order < 0) {
                toSend.add(a.get(i++).key());
            } else if (order > 0) {
                toRequest.add(b.get(j++).key());
            } else {
                if (a.get(i).hash() != b.get(j).hash()) {
                    toSend.add(a.get(i).key());
                    toRequest.add(b.get(j).key());
                }
                i++;
                j++;
            }
        }
        return new Comparison(toSend, toRequest);
    }

    /**
     * Collects a leaf's entries from a scan (token order; sorted by key at {@link #build()}), refusing entries
     * past the bounds so the caller learns early that the leaf needs splitting. Not thread-safe.
     */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private long bytes;

        /**
         * @return true when added; false, changing nothing, when the entry would pass {@link #MAX_ENTRIES} or
         *     {@link #MAX_BYTES}
         */
        public boolean add(Key key, long hash) {
            Objects.requireNonNull(key, "key");
            long entryBytes = encodedBytes(key);
            if (entries.size() >= MAX_ENTRIES || bytes + entryBytes > MAX_BYTES) {
                return false;
            }
            entries.add(new Entry(key, hash));
            bytes += entryBytes;
            return true;
        }

        /** @return the encoded bytes added so far */
        public long bytes() {
            return bytes;
        }

        /**
         * @return the digest, sorted by key
         * @throws IllegalArgumentException when a key was added twice
         */
        public LeafDigest build() {
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(BY_KEY);
            for (int i = 1; i < sorted.size(); i++) {
                if (sorted.get(i).key().equals(sorted.get(i - 1).key())) {
                    throw new IllegalArgumentException("key " + sorted.get(i).key() + " appears twice in a leaf digest");
                }
            }
            return new LeafDigest(List.copyOf(sorted));
        }
    }
}

package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ringkv.api.Key;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memtable keeps each key's newest entry for point reads and its cursor, whatever order entries come in. */
class MemtableTest {
    private static final byte[] VERSION = {1};

    private static Entry entry(long token, String key, String value, long seq) {
        StorageKey storageKey = new StorageKey(token, Key.utf8(key));
        return new Entry(StorageRecord.live(storageKey, VERSION, value.getBytes(StandardCharsets.UTF_8)), seq, 0);
    }

    private static List<Entry> all(Memtable memtable) {
        EntryCursor cursor = memtable.cursor(new StorageKey(Long.MIN_VALUE, Key.of(new byte[0])));
        List<Entry> entries = new ArrayList<>();
        for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
            entries.add(entry);
        }
        return entries;
    }

    @Test
    void aNewerEntryReplacesTheKeysEntryForPointReadsAndTheCursor() {
        Memtable memtable = new Memtable(1);
        Entry first = entry(7, "k", "one", 1);
        Entry second = entry(7, "k", "two", 2);
        memtable.apply(first);
        memtable.apply(second);

        assertSame(second, memtable.get(first.key()));
        assertEquals(List.of(second), all(memtable));
        assertEquals(1, memtable.size());
        assertEquals(first.memoryBytes() + second.memoryBytes(), memtable.bytes(), "a replaced entry still counts");
    }

    @Test
    void anOlderEntryMetAfterANewerOneChangesNothing() {
        // a replay may meet one key's entries out of sequence order (across segments)
        Memtable memtable = new Memtable(List.of(1L, 2L));
        Entry newer = entry(7, "k", "new", 9);
        Entry older = entry(7, "k", "old", 4);
        memtable.apply(newer);
        memtable.apply(older);
        memtable.apply(entry(7, "k", "same sequence", 9));

        assertSame(newer, memtable.get(newer.key()));
        assertEquals(List.of(newer), all(memtable));
        assertEquals(newer.memoryBytes(), memtable.bytes());
    }

    @Test
    void keysSharingATokenStayDistinctAndTheCursorKeepsTokenThenKeyOrder() {
        Memtable memtable = new Memtable(1);
        Entry b = entry(5, "b", "vb", 1);
        Entry a = entry(5, "a", "va", 2);
        Entry low = entry(-3, "z", "vz", 3);
        memtable.apply(b);
        memtable.apply(a);
        memtable.apply(low);

        assertArrayEquals("va".getBytes(StandardCharsets.UTF_8), memtable.get(a.key()).record().value());
        assertArrayEquals("vb".getBytes(StandardCharsets.UTF_8), memtable.get(b.key()).record().value());
        assertNull(memtable.get(new StorageKey(5, Key.utf8("c"))));
        assertNull(memtable.get(new StorageKey(6, Key.utf8("a"))), "same key, other token: another address");
        assertEquals(List.of(low, a, b), all(memtable));
    }
}

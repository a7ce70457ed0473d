package io.ringkv.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A replica's scan page: live keys after a position, in (token, key) order, resumable exactly where it stopped. */
class ScanTasksTest {
    private static final byte[] VERSION = {1};
    private static final int BUDGET = 64 * 1024;

    @Test
    void pagesResumeAfterTheLastRecordVisitedAndSkipTombstones() {
        try (StorageEngine engine = engine()) {
            engine.put(Long.MIN_VALUE, Key.utf8("first"), VERSION, new byte[] {1});
            engine.put(5, Key.utf8("a"), VERSION, new byte[] {1});
            engine.delete(5, Key.utf8("b"), VERSION);
            engine.put(5, Key.utf8("c"), VERSION, new byte[] {1});
            engine.put(9, Key.utf8("d"), VERSION, new byte[] {1});
            engine.put(Long.MAX_VALUE, Key.utf8("last"), VERSION, new byte[] {1});

            ScanTasks.Page one = ScanTasks.page(engine, Long.MIN_VALUE, null, 5, 2, BUDGET, 0);
            assertEquals(List.of(Key.utf8("first"), Key.utf8("a")), one.keys());
            assertFalse(one.exhausted());
            assertEquals(5, one.lastToken());
            assertEquals(Key.utf8("b"), one.lastKey(), "the tombstone after a was visited too; c did not fit");

            ScanTasks.Page two = ScanTasks.page(engine, one.lastToken(), one.lastKey(), 5, 2, BUDGET, 0);
            assertEquals(List.of(Key.utf8("c")), two.keys());
            assertTrue(two.exhausted(), "nothing after c up to token 5");
            assertNull(two.lastKey());

            ScanTasks.Page rest = ScanTasks.page(engine, 6, null, Long.MAX_VALUE, 10, BUDGET, 0);
            assertEquals(List.of(Key.utf8("d"), Key.utf8("last")), rest.keys());
            assertTrue(rest.exhausted());
        }
    }

    @Test
    void aRangeOfTombstonesAnswersInBoundedPagesThatStillMoveOn() {
        try (StorageEngine engine = engine()) {
            for (int i = 0; i < ScanTasks.MAX_VISITS + 5; i++) {
                engine.delete(7, Key.utf8(String.format("gone-%06d", i)), VERSION);
            }
            engine.put(7, Key.utf8("zz"), VERSION, new byte[] {1});
            ScanTasks.Page first = ScanTasks.page(engine, 7, null, 7, 10, BUDGET, 0);
            assertEquals(List.of(), first.keys());
            assertFalse(first.exhausted());
            ScanTasks.Page second = ScanTasks.page(engine, first.lastToken(), first.lastKey(), 7, 10, BUDGET, 0);
            assertEquals(List.of(Key.utf8("zz")), second.keys());
            assertTrue(second.exhausted());
        }
    }

    @Test
    void aPageStopsWithinItsByteBudgetAndTheNextStartsWithTheKeyThatDidNotFit() {
        try (StorageEngine engine = engine()) {
            List<Key> keys = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Key key = Key.utf8("key-" + i);
                keys.add(key);
                engine.put(3, key, VERSION, new byte[] {1});
            }
            // "key-0" is 5 bytes, 9 with its length: three fit in 30
            ScanTasks.Page page = ScanTasks.page(engine, 3, null, 3, 100, 30, 0);
            assertEquals(keys.subList(0, 3), page.keys());
            ScanTasks.Page next = ScanTasks.page(engine, page.lastToken(), page.lastKey(), 3, 100, BUDGET, 0);
            assertEquals(keys.subList(3, 10), next.keys());
        }
    }

    private static StorageEngine engine() {
        return StorageEngines.open("memory", EngineConfig.of(Path.of("unused"), "data"));
    }
}

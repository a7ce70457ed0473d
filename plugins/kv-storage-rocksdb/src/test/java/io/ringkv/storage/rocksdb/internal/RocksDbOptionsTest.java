package io.ringkv.storage.rocksdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.storage.rocksdb.RocksDbOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options parse with their defaults, and bad ones are refused by name. */
class RocksDbOptionsTest {
    @Test
    void missingOptionsTakeTheirDefaults() {
        RocksDbOptions options = RocksDbOptions.parse(Map.of());
        assertEquals(RocksDbOptions.DEFAULTS, options);
        assertFalse(options.syncEveryWrite(), "by default the log is not forced on every write");
        assertTrue(options.lz4());
    }

    @Test
    void givenOptionsAreParsed() {
        RocksDbOptions options = RocksDbOptions.parse(Map.of("sync", "always", "block-cache-bytes", "256m",
            "compression", "none"));
        assertTrue(options.syncEveryWrite());
        assertEquals(256L << 20, options.blockCacheBytes());
        assertFalse(options.lz4());
    }

    @Test
    void unknownNamesAndBadValuesAreRefused() {
        assertEquals(ErrorCode.INVALID_CONFIGURATION,
            assertThrows(KvException.class, () -> RocksDbOptions.parse(Map.of("cache", "1"))).code());
        KvException bad = assertThrows(KvException.class, () -> RocksDbOptions.parse(Map.of("sync", "often")));
        assertTrue(bad.getMessage().contains("sync"), bad.getMessage());
    }
}

package io.ringkv.storage.lsm.internal;

import io.ringkv.storage.tck.StorageEngineTck;
import java.util.Map;

/**
 * The conformance kit again with tiny memtables and blocks and fsync on every write, so that every test crosses
 * flushes, SSTable reads (with {@code pread}, where the defaults read small stores through the mapping) and
 * compactions.
 */
class LsmEngineSmallTablesTckTest extends StorageEngineTck {
    @Override
    protected String engineName() {
        return "lsm";
    }

    @Override
    protected Map<String, String> engineOptions() {
        return Map.of("memtable-bytes", "8k", "block-bytes", "512", "sync", "always", "compaction-min-tables", "2",
            "data-reads", "positional");
    }
}

package io.ringkv.storage.rocksdb.internal;

import io.ringkv.storage.tck.StorageEngineTck;
import java.util.Map;

/** The rocksdb engine passes the conformance kit (small caches keep the test light). */
class RocksDbEngineTckTest extends StorageEngineTck {
    @Override
    protected String engineName() {
        return "rocksdb";
    }

    @Override
    protected Map<String, String> engineOptions() {
        return Map.of("block-cache-bytes", "8m", "write-buffer-bytes", "1m");
    }
}

import io.ringkv.storage.StorageEngineProvider;
import io.ringkv.storage.rocksdb.RocksDbEngineProvider;

/**
 * The storage SPI over RocksDB through its JNI binding, {@code rocksdb}: bloom filters, LZ4 and a block cache
 * sized from configuration. An alternative to the {@code lsm} engine and the baseline it is measured against.
 */
module io.ringkv.storage.rocksdb {
    requires io.ringkv.storage;
    requires rocksdbjni;

    exports io.ringkv.storage.rocksdb;

    provides StorageEngineProvider with RocksDbEngineProvider;
}

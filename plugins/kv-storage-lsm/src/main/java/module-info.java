import io.ringkv.storage.StorageEngineProvider;
import io.ringkv.storage.lsm.LsmEngineProvider;

/**
 * ringkv's log-structured storage engine, {@code lsm}: a checksummed commit log with group commit, a sorted
 * memtable flushed in the background to immutable SSTables (checksummed blocks, a bloom filter, a sparse index),
 * and size-tiered compaction. A plugin of the storage SPI, chosen by name.
 */
module io.ringkv.storage.lsm {
    requires io.ringkv.storage;
    // the machine's memory size, for data-reads=auto
    requires jdk.management;

    exports io.ringkv.storage.lsm;

    provides StorageEngineProvider with LsmEngineProvider;
}

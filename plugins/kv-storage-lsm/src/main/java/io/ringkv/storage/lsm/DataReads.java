package io.ringkv.storage.lsm;

/**
 * How point reads fetch an SSTable's data blocks ({@code data-reads}). The index and the bloom filter are read in
 * place through the table's mapping in every mode, and scans read the mapping too.
 */
public enum DataReads {
    /**
     * Through the mapping while the store's SSTables fit in half the memory the JVM's heap leaves (the machine's,
     * or its container's), so they can stay in the page cache; with {@code pread} once they outgrow it, and
     * through the mapping again once they are a tenth under it. The limit is each store's (a node's hints store
     * is another, small one). Checked at open and whenever a memtable roll, a flush or a compaction changes the
     * engine's view. The default.
     */
    AUTO,
    /**
     * One {@code pread} per block: a system call each, however warm the page cache, and no more I/O than the
     * block when it is cold.
     */
    POSITIONAL,
    /**
     * Through the mapping: no system call while the data is in the page cache; a fault reads about 128 KiB
     * ahead, which multiplies the I/O of random reads once the data outgrows memory.
     */
    MMAP
}

package io.ringkv.storage.lsm.internal;

import io.ringkv.storage.lsm.DataReads;
import java.lang.management.ManagementFactory;

/**
 * Whether one engine's point reads fetch data blocks through the tables' mappings or with {@code pread}
 * ({@link DataReads}). A read through the mapping makes no system call while its page is in the page cache (a
 * {@code pread} costs one however warm the cache, a third of a busy store's reading thread on a virtual machine),
 * but a fault on a page that is not reads about 128 KiB ahead, which multiplies the I/O of random reads over data
 * larger than memory. So {@code auto} maps while the tables fit in {@link #defaultLimitBytes() half the memory the
 * heap leaves}, and reads positionally beyond; the engine tells it the tables' size whenever they change. Read by
 * any thread; changed under the engine's write lock.
 */
final class PointReads {
    private static final System.Logger LOG = System.getLogger("io.ringkv.storage.lsm");

    private final DataReads mode;
    private final long limitBytes;
    private volatile boolean mapped;
    private boolean decided;

    /**
     * @param limitBytes under {@code auto}, the most SSTable bytes read through the mappings
     */
    PointReads(DataReads mode, long limitBytes) {
        this.mode = mode;
        this.limitBytes = limitBytes;
        this.mapped = mode == DataReads.MMAP;
    }

    /** @return the mode with the default limit */
    static PointReads of(DataReads mode) {
        return new PointReads(mode, mode == DataReads.AUTO ? defaultLimitBytes() : 0);
    }

    /**
     * @return half of what the machine's memory (its container's limit, where the JVM runs in one) leaves beside
     *     the most heap this JVM may take: room for the tables in the page cache beside the heap, the memtables'
     *     share of it and everything else the machine runs; 0 when the memory size cannot be read
     */
    static long defaultLimitBytes() {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)) {
            return 0;
        }
        long total = os.getTotalMemorySize();
        long heap = Runtime.getRuntime().maxMemory();
        return total <= 0 || heap == Long.MAX_VALUE ? 0 : Math.max(0, (total - heap) / 2);
    }

    /** @return whether point reads go through the mappings now */
    boolean mapped() {
        return mapped;
    }

    /**
     * Decides again for tables of {@code tableBytes} in all (under {@code auto}); logs a change. Reads that went
     * positional go back to the mapping only once the tables are a tenth under the limit, so a store whose size
     * hovers at the limit does not switch at every flush and compaction.
     *
     * @param storeName names the store in the log
     */
    void tablesChanged(long tableBytes, String storeName) {
        if (mode != DataReads.AUTO) {
            return;
        }
        boolean next = !decided || mapped ? tableBytes <= limitBytes : tableBytes <= limitBytes - limitBytes / 10;
        if (next != mapped || !decided) {
            if (decided || !next) {
                LOG.log(System.Logger.Level.INFO, "store " + storeName + ": point reads "
                    + (next ? "through the SSTables' mappings" : "with pread") + " from now on (data-reads=auto):"
                    + " its SSTables hold " + mib(tableBytes) + " MiB, " + (next ? "within" : "over")
                    + " the " + mib(limitBytes) + " MiB that half the memory beside the heap allows this store");
            }
            mapped = next;
            decided = true;
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}

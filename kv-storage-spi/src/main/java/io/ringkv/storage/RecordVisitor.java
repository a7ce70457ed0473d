package io.ringkv.storage;

/** Receives the records of a scan in (token, key) order. */
@FunctionalInterface
public interface RecordVisitor {
    /**
     * @param record the next record, tombstones included
     * @return true to continue the scan, false to stop it
     */
    boolean visit(StorageRecord record);
}

package io.ringkv.storage.rocksdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** RocksDB's failures reach the client with the error that says what to do about them. */
class RocksDbErrorsTest {
    @Test
    void runningOutOfSpaceIsDiskFull() {
        assertEquals(ErrorCode.DISK_FULL, RocksDbEngine.codeFor(new RocksDBException("IO error: No space left on"
            + " device", new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device"))));
        assertEquals(ErrorCode.DISK_FULL, RocksDbEngine.codeFor(new RocksDBException(
            "While appending to file: /data/000012.log: No space left on device")));
    }

    @Test
    void otherFailuresStayStorageFailures() {
        assertEquals(ErrorCode.STORAGE_FAILURE, RocksDbEngine.codeFor(new RocksDBException("Corruption: bad block",
            new Status(Status.Code.Corruption, Status.SubCode.None, "bad block"))));
    }
}

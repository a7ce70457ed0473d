package io.ringkv.storage.rocksdb.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.EngineCounters;
import io.ringkv.storage.RecordGuard;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;
import io.ringkv.storage.rocksdb.RocksDbEngineProvider;
import io.ringkv.storage.rocksdb.RocksDbOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;

/**
 * The storage SPI over one RocksDB database. Keys are stored as the token (8 bytes, big-endian, sign bit flipped
 * so RocksDB's bytewise order is signed token order) followed by the key bytes; values as
 * {@code flag (0 live, 1 tombstone), version length i32, version, value}.
 *
 * <p>Native handles must not be used after they are freed: operations hold the read side of a lock and
 * {@link #close()} takes the write side.
 */
public final class RocksDbEngine implements StorageEngine {
    private static final byte LIVE = 0;
    private static final byte TOMBSTONE = 1;

    private final RecordGuard guard;
    private final EngineCounters counters = new EngineCounters();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Options options;
    private final LRUCache cache;
    private final BloomFilter bloom;
    private final Statistics statistics;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final RocksDB db;
    private final EngineConfig config;

    private RocksDbEngine(EngineConfig config, Options options, LRUCache cache, BloomFilter bloom,
                          Statistics statistics, WriteOptions writeOptions, RocksDB db) {
        this.config = config;
        this.guard = new RecordGuard(config);
        this.options = options;
        this.cache = cache;
        this.bloom = bloom;
        this.statistics = statistics;
        this.writeOptions = writeOptions;
        this.readOptions = new ReadOptions();
        this.db = db;
    }

    /**
     * Opens (creating if needed) the database in {@code config.storeDirectory()}.
     *
     * @throws KvException with {@code STORAGE_FAILURE} when RocksDB cannot open it
     */
    public static RocksDbEngine open(EngineConfig config, RocksDbOptions settings) {
        RocksDB.loadLibrary();
        LRUCache cache = new LRUCache(settings.blockCacheBytes());
        BloomFilter bloom = new BloomFilter(settings.bloomBitsPerKey(), false);
        Statistics statistics = new Statistics();
        BlockBasedTableConfig table = new BlockBasedTableConfig()
            .setBlockCache(cache)
            .setFilterPolicy(bloom)
            .setBlockSize(settings.blockBytes())
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true);
        Options options = new Options()
            .setCreateIfMissing(true)
            .setTableFormatConfig(table)
            .setWriteBufferSize(settings.writeBufferBytes())
            .setMaxBackgroundJobs(settings.backgroundJobs())
            .setLevelCompactionDynamicLevelBytes(true)
            .setBytesPerSync(1 << 20)
            .setCompressionType(settings.lz4() ? CompressionType.LZ4_COMPRESSION : CompressionType.NO_COMPRESSION)
            .setStatistics(statistics);
        WriteOptions writeOptions = new WriteOptions().setSync(settings.syncEveryWrite());
        try {
            Files.createDirectories(config.storeDirectory());
            RocksDB db = RocksDB.open(options, config.storeDirectory().toString());
            return new RocksDbEngine(config, options, cache, bloom, statistics, writeOptions, db);
        } catch (RocksDBException | IOException e) {
            writeOptions.close();
            options.close();
            statistics.close();
            bloom.close();
            cache.close();
            throw new KvException(ErrorCode.STORAGE_FAILURE,
                "cannot open rocksdb store " + config.storeDirectory() + ": " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return RocksDbEngineProvider.NAME;
    }

    @Override
    public boolean isVolatile() {
        return false;
    }

    @Override
    public void put(long token, Key key, byte[] version, byte[] value) {
        guard.checkWrite(key, version, Objects.requireNonNull(value, "value"));
        write(token, key, version, value);
        counters.onPut(Long.BYTES + key.length() + version.length + value.length);
    }

    @Override
    public void delete(long token, Key key, byte[] version) {
        guard.checkWrite(key, version, null);
        write(token, key, version, null);
        counters.onDelete(Long.BYTES + key.length() + version.length);
    }

    private void write(long token, Key key, byte[] version, byte[] value) {
        byte[] encodedKey = encodeKey(token, key);
        ByteBuffer encoded = ByteBuffer.allocate(1 + 4 + version.length + (value == null ? 0 : value.length));
        encoded.put(value == null ? TOMBSTONE : LIVE).putInt(version.length).put(version);
        if (value != null) {
            encoded.put(value);
        }
        lifecycle.readLock().lock();
        try {
            guard.checkOpen();
            db.put(writeOptions, encodedKey, encoded.array());
        } catch (RocksDBException e) {
            throw failure("write", e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public StorageRecord get(long token, Key key) {
        byte[] stored;
        lifecycle.readLock().lock();
        try {
            guard.checkOpen();
            stored = db.get(readOptions, encodeKey(token, key));
        } catch (RocksDBException e) {
            throw failure("read", e);
        } finally {
            lifecycle.readLock().unlock();
        }
        counters.onGet(stored != null);
        return stored == null ? null : decode(new StorageKey(token, key), stored);
    }

    @Override
    public void scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        long visited = 0;
        lifecycle.readLock().lock();
        try (RocksIterator iterator = openIterator()) {
            if (startExclusive < endInclusive) {
                visited = scanRange(iterator, startExclusive, endInclusive, visitor, new long[1]);
            } else {
                long[] count = new long[1];
                if (startExclusive == Long.MAX_VALUE || scanRange(iterator, startExclusive, Long.MAX_VALUE, visitor,
                    count) >= 0) {
                    iterator.seekToFirst();
                    visit(iterator, endInclusive, visitor, count);
                }
                visited = count[0];
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        counters.onScan(Math.abs(visited));
    }

    @Override
    public long dropUnless(java.util.function.LongPredicate keep) {
        long dropped = 0;
        lifecycle.readLock().lock();
        try (RocksIterator iterator = openIterator();
             org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                byte[] rawKey = iterator.key();
                if (!keep.test(decodeToken(rawKey))) {
                    batch.delete(rawKey);
                    dropped++;
                }
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw failure("drop", e);
        } finally {
            lifecycle.readLock().unlock();
        }
        return dropped;
    }

    private RocksIterator openIterator() {
        guard.checkOpen();
        return db.newIterator(readOptions);
    }

    /** Tokens in (after, through]. @return records visited, negated when the visitor stopped the scan */
    private long scanRange(RocksIterator iterator, long after, long through, RecordVisitor visitor, long[] count) {
        iterator.seek(tokenPrefix(after + 1));
        boolean more = visit(iterator, through, visitor, count);
        return more ? count[0] : -count[0] - 1;
    }

    private boolean visit(RocksIterator iterator, long through, RecordVisitor visitor, long[] count) {
        for (; iterator.isValid(); iterator.next()) {
            byte[] rawKey = iterator.key();
            long token = decodeToken(rawKey);
            if (token > through) {
                return true;
            }
            count[0]++;
            Key key = Key.of(java.util.Arrays.copyOfRange(rawKey, Long.BYTES, rawKey.length),
                Limits.CEILING);
            if (!visitor.visit(decode(new StorageKey(token, key), iterator.value()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Syncs the write-ahead log: everything written so far survives a crash of the machine. A failure is always a
     * {@code STORAGE_FAILURE}, never {@code DISK_FULL}: that would promise a later flush writes what this one could
     * not (see {@link StorageEngine#flush()}), and what RocksDB keeps of a log write that failed is its own affair.
     */
    @Override
    public void flush() {
        lifecycle.readLock().lock();
        try {
            guard.checkOpen();
            db.flushWal(true);
        } catch (RocksDBException e) {
            KvException failure = failure("write-ahead log sync", e);
            throw failure.code() == ErrorCode.DISK_FULL
                ? new KvException(ErrorCode.STORAGE_FAILURE, failure.getMessage(), e) : failure;
        } finally {
            lifecycle.readLock().unlock();
        }
        counters.onFlush();
    }

    @Override
    public StorageMetrics metrics() {
        Map<String, Long> extra = new LinkedHashMap<>();
        long keys = 0;
        long dataBytes = 0;
        lifecycle.readLock().lock();
        try {
            if (!isClosed()) {
                keys = db.getLongProperty("rocksdb.estimate-num-keys");
                extra.put("block_cache_bytes", cache.getUsage());
                long sstBytes = db.getLongProperty("rocksdb.total-sst-files-size");
                extra.put("sst_bytes", sstBytes);
                dataBytes = sstBytes + db.getLongProperty("rocksdb.cur-size-all-mem-tables");
                long user = statistics.getTickerCount(TickerType.BYTES_WRITTEN);
                long wal = statistics.getTickerCount(TickerType.WAL_FILE_BYTES);
                long flushed = statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES);
                long compacted = statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES);
                extra.put("bytes_written", wal + flushed + compacted);
                extra.put("flush_bytes_written", flushed);
                extra.put("compaction_bytes_written", compacted);
                extra.put("bloom_negatives", statistics.getTickerCount(TickerType.BLOOM_FILTER_USEFUL));
                extra.put("write_amplification_x100", user == 0 ? 0 : (wal + flushed + compacted) * 100 / user);
                extra.put("sstable_write_amplification_x100", user == 0 ? 0 : (flushed + compacted) * 100 / user);
            }
        } catch (RocksDBException e) {
            throw failure("property read", e);
        } finally {
            lifecycle.readLock().unlock();
        }
        return counters.snapshot(keys, dataBytes, extra);
    }

    private boolean isClosed() {
        try {
            guard.checkOpen();
            return false;
        } catch (KvException e) {
            return true;
        }
    }

    /** Flushes nothing extra (the write-ahead log holds what the memtable does) and frees every native handle. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!guard.close()) {
                return;
            }
            try {
                db.closeE();
            } catch (RocksDBException e) {
                throw failure("close", e);
            } finally {
                readOptions.close();
                writeOptions.close();
                options.close();
                statistics.close();
                bloom.close();
                cache.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    static byte[] encodeKey(long token, Key key) {
        byte[] encoded = new byte[Long.BYTES + key.length()];
        ByteBuffer.wrap(encoded).putLong(token ^ Long.MIN_VALUE);
        for (int i = 0; i < key.length(); i++) {
            encoded[Long.BYTES + i] = key.byteAt(i);
        }
        return encoded;
    }

    private static byte[] tokenPrefix(long token) {
        return ByteBuffer.allocate(Long.BYTES).putLong(token ^ Long.MIN_VALUE).array();
    }

    private static long decodeToken(byte[] rawKey) {
        return ByteBuffer.wrap(rawKey).getLong() ^ Long.MIN_VALUE;
    }

    private static StorageRecord decode(StorageKey key, byte[] stored) {
        ByteBuffer in = ByteBuffer.wrap(stored);
        byte flag = in.get();
        byte[] version = new byte[in.getInt()];
        in.get(version);
        if (flag == TOMBSTONE) {
            return StorageRecord.tombstone(key, version);
        }
        byte[] value = new byte[in.remaining()];
        in.get(value);
        return StorageRecord.live(key, version, value);
    }

    private KvException failure(String what, RocksDBException e) {
        ErrorCode code = codeFor(e);
        return new KvException(code, (code == ErrorCode.DISK_FULL ? "disk full: " : "") + "rocksdb " + what
            + " failed in " + config.storeDirectory() + ": " + e.getMessage());
    }

    /**
     * @return {@code DISK_FULL} when RocksDB ran out of space (status sub-code {@code NoSpace}, or the operating
     *     system's ENOSPC in its message), so a client learns why its write failed; else {@code STORAGE_FAILURE}
     */
    static ErrorCode codeFor(RocksDBException e) {
        boolean noSpace = e.getStatus() != null && e.getStatus().getSubCode() == org.rocksdb.Status.SubCode.NoSpace
            || e.getMessage() != null && e.getMessage().contains("No space left on device");
        return noSpace ? ErrorCode.DISK_FULL : ErrorCode.STORAGE_FAILURE;
    }
}

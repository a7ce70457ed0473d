package io.ringkv.sim;

import io.ringkv.api.Key;
import io.ringkv.storage.RecordVisitor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageMetrics;
import io.ringkv.storage.StorageRecord;

/** An engine that passes every call to another: a test overrides only the calls it changes (a fault, a hook). */
public abstract class ForwardingEngine implements StorageEngine {
    private final StorageEngine held;

    protected ForwardingEngine(StorageEngine held) {
        this.held = held;
    }

    @Override
    public String name() {
        return held.name();
    }

    @Override
    public boolean isVolatile() {
        return held.isVolatile();
    }

    @Override
    public void put(long token, Key key, byte[] version, byte[] value) {
        held.put(token, key, version, value);
    }

    @Override
    public void delete(long token, Key key, byte[] version) {
        held.delete(token, key, version);
    }

    @Override
    public StorageRecord get(long token, Key key) {
        return held.get(token, key);
    }

    @Override
    public void scan(long startExclusive, long endInclusive, RecordVisitor visitor) {
        held.scan(startExclusive, endInclusive, visitor);
    }

    @Override
    public void flush() {
        held.flush();
    }

    @Override
    public StorageMetrics metrics() {
        return held.metrics();
    }

    @Override
    public void close() {
        held.close();
    }
}

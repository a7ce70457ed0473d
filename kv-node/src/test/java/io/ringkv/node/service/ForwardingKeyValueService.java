package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.Key;
import io.ringkv.api.Value;
import java.util.Optional;

/**
 * Passes the data calls and {@code flush} to another service; a test overrides the calls it watches or changes.
 * The other calls keep the interface's defaults.
 */
public class ForwardingKeyValueService implements KeyValueService {
    private final KeyValueService next;

    public ForwardingKeyValueService(KeyValueService next) {
        this.next = next;
    }

    @Override
    public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
        next.get(key, consistency, answer);
    }

    @Override
    public void getVersions(Key key, Consistency consistency, Answer<Siblings> answer) {
        next.getVersions(key, consistency, answer);
    }

    @Override
    public void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer) {
        next.put(key, value, context, consistency, answer);
    }

    /** A write without expiry goes through {@link #put(Key, Value, CausalContext, Consistency, Answer)}. */
    @Override
    public void put(Key key, Value value, CausalContext context, io.ringkv.api.Expiry expiry,
                    Consistency consistency, Answer<Void> answer) {
        if (expiry.equals(io.ringkv.api.Expiry.NONE)) {
            put(key, value, context, consistency, answer);
        } else {
            next.put(key, value, context, expiry, consistency, answer);
        }
    }

    @Override
    public void expiry(Key key, Consistency consistency, Answer<Long> answer) {
        next.expiry(key, consistency, answer);
    }

    @Override
    public void changeExpiry(Key key, io.ringkv.api.Expiry expiry, io.ringkv.api.Expiry.Condition condition,
                             Consistency consistency, Answer<ExpiryChanged> answer) {
        next.changeExpiry(key, expiry, condition, consistency, answer);
    }

    @Override
    public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
        next.delete(key, consistency, answer);
    }

    @Override
    public void flush() {
        next.flush();
    }
}

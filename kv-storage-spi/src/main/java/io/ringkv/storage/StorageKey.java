package io.ringkv.storage;

import io.ringkv.api.Key;
import java.util.Objects;

/**
 * The address of a record in an engine: the key's ring token first, then the key itself, so records sort by
 * token (signed order) and a token range is one contiguous scan. Keys that share a token stay distinct.
 *
 * @param token the key's ring token
 * @param key the key
 */
public record StorageKey(long token, Key key) implements Comparable<StorageKey> {

    /** @throws NullPointerException when {@code key} is null */
    public StorageKey {
        Objects.requireNonNull(key, "key");
    }

    @Override
    public int compareTo(StorageKey other) {
        int byToken = Long.compare(token, other.token);
        return byToken != 0 ? byToken : key.compareTo(other.key);
    }
}

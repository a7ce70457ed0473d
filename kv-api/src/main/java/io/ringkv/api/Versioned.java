package io.ringkv.api;

import java.util.Objects;

/**
 * A value at a version, or a tombstone: a delete is a write like any other, so it supersedes older values by the
 * same rules and is not brought back by replicas that missed it.
 *
 * @param version the write's version
 * @param value the value, or null for a tombstone
 */
public record Versioned(Version version, Value value) {
    /** @throws NullPointerException when the version is missing */
    public Versioned {
        Objects.requireNonNull(version, "version");
    }

    /** @return a live value at {@code version} */
    public static Versioned of(Version version, Value value) {
        return new Versioned(version, Objects.requireNonNull(value, "value"));
    }

    /** @return a tombstone at {@code version} */
    public static Versioned tombstone(Version version) {
        return new Versioned(version, null);
    }

    /** @return true when this marks a delete */
    public boolean isTombstone() {
        return value == null;
    }

    /** @return true when this holds a value that has expired by {@code nowMillis} (see {@link Version#isExpiredAt}) */
    public boolean isExpiredAt(long nowMillis) {
        return value != null && version.isExpiredAt(nowMillis);
    }

    /** @return true when this holds a value that has not expired by {@code nowMillis} */
    public boolean isLiveAt(long nowMillis) {
        return value != null && !version.isExpiredAt(nowMillis);
    }

    @Override
    public String toString() {
        return (isTombstone() ? "Tombstone" : "Versioned[" + value.asUtf8() + "]") + "@" + version.timestamp()
            + "/" + version.dot() + version.past().asMap()
            + (version.expires() ? " expires " + version.expiresAtMillis() : "");
    }
}

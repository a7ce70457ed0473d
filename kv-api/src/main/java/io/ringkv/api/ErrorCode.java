package io.ringkv.api;

/**
 * The kinds of failure a ringkv operation reports. Each code is stable and maps to one client-visible error.
 */
public enum ErrorCode {
    /** An argument is malformed or out of its allowed range. */
    INVALID_ARGUMENT,
    /** A key is longer than the configured key limit. */
    KEY_TOO_LARGE,
    /** A value is longer than the configured value limit. */
    VALUE_TOO_LARGE,
    /** N, R and W do not satisfy 1 &lt;= R, W &lt;= N. */
    INVALID_CONSISTENCY,
    /** Fewer replicas are alive than the request needs. */
    UNAVAILABLE,
    /**
     * The node is starting and does not serve data yet (it has not learned the cluster's ring); retry shortly or
     * ask another node. Answered to Redis clients as {@code LOADING}, the error they know to retry.
     */
    LOADING,
    /** Replicas did not answer in time. */
    TIMEOUT,
    /** The store or engine has been closed. */
    CLOSED,
    /** A storage engine failed to read or write. */
    STORAGE_FAILURE,
    /** No plugin is registered under the requested name. */
    UNKNOWN_PLUGIN,
    /** A configuration setting is invalid. */
    INVALID_CONFIGURATION,
    /**
     * A node refused a write because its data directory is full or below its free-space reserve; reads are still
     * served, and writes resume once space is freed.
     */
    DISK_FULL
}

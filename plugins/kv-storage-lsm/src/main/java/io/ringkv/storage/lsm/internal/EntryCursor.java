package io.ringkv.storage.lsm.internal;

/** Entries of one source in ascending (token, key) order. */
@FunctionalInterface
interface EntryCursor {
    /** @return the next entry, or null when the source is exhausted */
    Entry next();
}

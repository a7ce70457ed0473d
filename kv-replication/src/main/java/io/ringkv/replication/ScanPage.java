package io.ringkv.replication;

import io.ringkv.api.Key;
import java.util.List;

/**
 * One SCAN call's answer: live keys found after the cursor, ascending by (token, key), and where the next call
 * continues. It may hold fewer keys than asked, or none, while {@link #next()} is not the end.
 *
 * @param keys the keys, each at most once in a page (a key may come again in a later page of the same scan)
 * @param next the cursor of the next call; {@link ScanCursor#START} when the scan has visited the whole ring
 */
public record ScanPage(List<Key> keys, ScanCursor next) {
    /** @throws NullPointerException when a part is missing */
    public ScanPage {
        keys = List.copyOf(keys);
        java.util.Objects.requireNonNull(next, "next");
    }

    /** @return true when this page ends the scan */
    public boolean isLast() {
        return next.equals(ScanCursor.START);
    }
}

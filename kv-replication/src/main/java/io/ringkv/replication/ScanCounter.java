package io.ringkv.replication;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** SCAN's counters in the node's registry (INFO section {@code replication}); written by the agent thread only. */
public enum ScanCounter implements CounterDescriptor {
    SCANS_ANSWERED("scan_pages_answered", "SCAN calls answered with a page of keys and a next cursor"),
    SCANS_FAILED("scan_pages_failed", "SCAN calls answered with an error: no replica of a range answered in time, "
        + "the ring is empty, or too many scans were in flight"),
    REPLICA_ASKS("scan_replica_asks", "requests for a page of a range's keys sent to a replica (this node included)"),
    RETRIES("scan_retries", "pages of a range asked again, of the next replica, because the one asked did not answer "
        + "in time, failed to read, or answered a page that could not be right"),
    LATE_REPLIES("scan_late_replies", "scan replies for asks already answered, retried or unknown (duplicates "
        + "included): dropped"),
    PAGES_SERVED("scan_pages_served", "pages of this replica's keys read for a scan, this node's own asks included"),
    SERVE_FAILURES("scan_serve_failures", "scan pages this replica could not read: storage failed or its stage was "
        + "full (answered with a failure, the coordinator asks another replica)"),
    REFUSED_NOT_REPLICA("scan_refused_not_replica", "scan pages refused because this node is not a replica of the "
        + "range in its own ring (it left the range, or has not finished joining it): the coordinator asks another");

    private final CounterSpec spec;

    ScanCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.COUNTER, "replication");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}

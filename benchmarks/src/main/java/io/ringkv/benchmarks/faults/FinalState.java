package io.ringkv.benchmarks.faults;

import java.util.Map;
import java.util.List;

/**
 * What the cluster held after the heal and the settle.
 *
 * @param values each key's values read through a coordinator at {@code consistency} (GETV: every sibling; empty
 *     when absent; null when the read failed)
 * @param consistency the level of those reads (ALL, or QUORUM when ALL could not be had)
 * @param perNode for each node (1-based), each key's values on that node's own replica after hinted handoff: read
 *     at ONE through the node while its peers were cut off, before the reads above could repair it; null values
 *     when the read failed
 */
public record FinalState(Map<String, List<String>> values, String consistency,
                         Map<Integer, Map<String, List<String>>> perNode) {
    /** @return the final values of {@code key}, null when unknown or unreadable */
    public List<String> valuesOf(String key) {
        return values.get(key);
    }
}

package io.ringkv.node.resp;

import java.util.Map;

/**
 * What the node adds to {@code INFO}: fields of a section (for example the ring and peers under
 * {@code replication}, key counts under {@code keyspace}) appended after the front door's own. Called on the
 * front door's thread, so it must be quick and read only thread-safe state (an immutable snapshot).
 */
@FunctionalInterface
public interface NodeInfo {
    /** Adds nothing. */
    NodeInfo NONE = section -> Map.of();

    /**
     * @param section a section name in lower case: {@code server}, {@code clients}, {@code stats},
     *     {@code replication}, {@code cluster}, {@code storage} or {@code keyspace}
     * @return the node's fields of that section, in the order to print them (field names without spaces)
     */
    Map<String, String> section(String section);
}

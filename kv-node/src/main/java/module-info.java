/**
 * The ringkv node and its command line: Dagger wires configuration, the ring, storage and (as later issues
 * bring them) the transport, replication and the client front doors.
 */
module io.ringkv.node {
    requires io.ringkv.ring;
    requires io.ringkv.storage;
    requires io.ringkv.replication;
    requires io.aeron.client;
    requires io.aeron.driver;
    requires jakarta.inject;
    requires dagger;
    // Dagger's runtime still loads javax.inject.Provider; name it so the module system resolves it
    requires javax.inject;

    exports io.ringkv.node;
    exports io.ringkv.node.transport to io.ringkv.benchmarks;
    exports io.ringkv.node.runtime to io.ringkv.benchmarks;
}

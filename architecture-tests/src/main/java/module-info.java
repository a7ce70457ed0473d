/**
 * Holds no code: its tests check the architecture of every ringkv module (the module graph of ARCHITECTURE.md,
 * and that protocol modules do no I/O, start no threads and read no clocks). It requires the modules so that
 * they are all on the test's module path.
 */
open module io.ringkv.architecture {
    requires io.ringkv.node;
    requires io.ringkv.replication;
    requires io.ringkv.gossip;
    requires io.ringkv.antientropy;
    requires io.ringkv.storage.tck;
    requires io.ringkv.sim;
    requires io.ringkv.storage.lsm;
    requires io.ringkv.storage.rocksdb;
}

/**
 * The storage engine conformance kit: subclass {@link io.ringkv.storage.tck.StorageEngineTck} in an engine's
 * tests and every behaviour the {@link io.ringkv.storage.StorageEngine} contract promises is checked.
 */
open module io.ringkv.storage.tck {
    requires transitive io.ringkv.storage;
    requires transitive org.junit.jupiter.api;

    exports io.ringkv.storage.tck;
}

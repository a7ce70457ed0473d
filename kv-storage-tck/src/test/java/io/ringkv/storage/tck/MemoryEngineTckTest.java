package io.ringkv.storage.tck;

/** The reference engine passes the kit. */
class MemoryEngineTckTest extends StorageEngineTck {
    @Override
    protected String engineName() {
        return "memory";
    }
}

package io.ringkv.storage.lsm.internal;

import io.ringkv.storage.tck.StorageEngineTck;

/** The lsm engine passes the conformance kit with its defaults. */
class LsmEngineTckTest extends StorageEngineTck {
    @Override
    protected String engineName() {
        return "lsm";
    }
}

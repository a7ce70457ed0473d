package io.ringkv.storage.lsm.internal;

import java.nio.file.Path;

/** An SSTable whose footer, index, filter or metadata fails its checks, so none of it can be trusted. */
final class CorruptTableException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptTableException(Path path, String reason) {
        super("SSTable " + path + " is corrupt: " + reason);
    }
}

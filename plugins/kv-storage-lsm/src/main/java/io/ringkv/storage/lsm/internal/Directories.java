package io.ringkv.storage.lsm.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** File-system steps that make a rename, create or delete durable. */
final class Directories {
    private Directories() {
    }

    /** Forces {@code directory}'s entries (new, renamed or deleted names) to disk. */
    static void sync(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}

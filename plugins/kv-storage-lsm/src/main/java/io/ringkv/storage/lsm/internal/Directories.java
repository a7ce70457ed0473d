package io.ringkv.storage.lsm.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.nio.file.StandardOpenOption;

/** File-system steps that make a rename, create or delete durable. */
final class Directories {
    private Directories() {
    }

    /**
     * Creates {@code directory} and any missing parents, and forces each new one's name into its parent (or, when it
     * existed, its own name into its parent once more): without that, a power loss soon after a node's first start
     * could take the whole store, its forced writes included (a forced file is durable only once the names that lead
     * to it are).
     *
     * @return the directories created, outermost first (empty when it existed)
     */
    static Deque<Path> create(Path directory) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path level = directory.toAbsolutePath(); level != null && !Files.isDirectory(level);
                level = level.getParent()) {
            missing.addFirst(level);
        }
        Files.createDirectories(directory);
        for (Path created : missing) {
            sync(created.getParent());
        }
        if (missing.isEmpty() && directory.toAbsolutePath().getParent() != null) {
            // it existed: a first start may have created it and died before forcing its name (one force per open);
            // best effort, as it may have been forced long ago: a parent that cannot be opened does not stop the store
            try {
                sync(directory.toAbsolutePath().getParent());
            } catch (IOException e) {
                System.getLogger("io.ringkv.storage.lsm").log(System.Logger.Level.DEBUG,
                    "could not force the name of " + directory + " into its parent: " + e);
            }
        }
        return missing;
    }

    /** Forces {@code directory}'s entries (new, renamed or deleted names) to disk. */
    static void sync(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}

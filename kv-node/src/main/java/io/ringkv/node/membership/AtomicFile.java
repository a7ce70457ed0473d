package io.ringkv.node.membership;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file in a directory so that a crash leaves either the old contents or the new, never a mix:
 * written to a temporary file, forced, renamed over the old one, and the directory forced.
 */
final class AtomicFile {
    private AtomicFile() {
    }

    /** @throws KvException with {@code STORAGE_FAILURE} when the file cannot be written */
    static void replace(Path directory, String name, String text) {
        Path file = directory.resolve(name);
        Path temporary = directory.resolve(name + ".tmp");
        try {
            Files.createDirectories(directory);
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // the rename itself is durable only once the directory is
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
        } catch (IOException e) {
            // on a full disk the half-written temporary holds space the node may need
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot write " + file + ": " + e.getMessage());
        }
    }

    /**
     * Removes the temporary file a write of {@code name} left when it failed (a full disk) or was cut short by a
     * crash: it is never read, and on a full disk it holds space.
     *
     * @throws KvException with {@code STORAGE_FAILURE} when it exists and cannot be removed
     */
    static void removeTemporary(Path directory, String name) {
        Path temporary = directory.resolve(name + ".tmp");
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot remove " + temporary + ": " + e.getMessage());
        }
    }
}

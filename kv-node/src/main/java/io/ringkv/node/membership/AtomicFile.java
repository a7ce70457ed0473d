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
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot write " + file + ": " + e.getMessage());
        }
    }
}

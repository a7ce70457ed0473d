package io.ringkv.node.membership;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether this node holds records of ranges a join or leave took from it (see {@link io.ringkv.gossip.Leftovers}),
 * kept across restarts in {@code leftovers.state} in its data directory: {@code leftovers=1} or {@code leftovers=0}.
 * No file reads as none (a new node, or one from before the file existed). Written as {@link AtomicFile} writes.
 */
public final class LeftoversFile {
    static final String FILE = "leftovers.state";

    private LeftoversFile() {
    }

    /**
     * @return the stored mark; false when there is no file
     * @throws KvException with {@code STORAGE_FAILURE} when the file cannot be read or holds anything else
     */
    public static boolean load(Path dataDirectory) {
        AtomicFile.removeTemporary(dataDirectory, FILE);
        String text;
        try {
            text = Files.readString(dataDirectory.resolve(FILE), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot read " + dataDirectory.resolve(FILE) + ": " + e);
        }
        return switch (text) {
            case "leftovers=1" -> true;
            case "leftovers=0" -> false;
            default -> throw new KvException(ErrorCode.STORAGE_FAILURE, dataDirectory.resolve(FILE) + " holds '"
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "', not leftovers=0 or leftovers=1:"
                + " remove the file if this node holds no records of ranges it does not replicate, or write"
                + " leftovers=1 to keep tombstones until a cleanup");
        };
    }

    /**
     * Replaces the file; disk I/O, so not on the agent thread.
     *
     * @throws KvException with {@code STORAGE_FAILURE} when it cannot be written
     */
    public static void store(Path dataDirectory, boolean held) {
        AtomicFile.replace(dataDirectory, FILE, held ? "leftovers=1\n" : "leftovers=0\n");
    }
}

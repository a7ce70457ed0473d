package io.ringkv.node.membership;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The generation of the node's current run, in {@code node.generation}: a 4 KiB file created once and from then
 * on overwritten in place, so that a node restarts even when its disk has no free byte left (overwriting blocks a
 * file already owns needs no new ones on ext4, xfs and tmpfs; copy-on-write file systems such as btrfs and ZFS
 * may still need room). The generation must grow across restarts, or peers would take the new run for the old one;
 * so it is stored before the node gossips, and a start that cannot store it does not start.
 *
 * <p>Two slots in separate 512-byte sectors are written in turn, each with a CRC: a write torn by a crash damages
 * only the slot being written, and the other still holds the previous generation. The torn one was never gossiped,
 * so going back to the previous one is safe.
 */
final class GenerationFile {
    static final String FILE = "node.generation";
    /** Size of the file: one page, two sectors used. */
    static final int SIZE = 4096;
    private static final int SLOT_BYTES = 512;
    private static final int SLOTS = 2;
    private static final int MAGIC = 0x52474e31;
    private static final int RECORD_BYTES = 16;

    private GenerationFile() {
    }

    /**
     * @return the greatest generation a valid slot holds, or 0 when the file does not exist
     * @throws KvException with {@code STORAGE_FAILURE} when the file cannot be read or no slot is valid
     */
    static long read(Path dataDirectory) {
        Path file = dataDirectory.resolve(FILE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long[] slots = slots(channel);
            long newest = Math.max(slots[0], slots[1]);
            if (newest <= 0) {
                throw new IOException("no valid generation in it");
            }
            return newest;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot read " + file + " (" + e.getMessage()
                + "); it holds the generation of the node's last start. Remove it to take the generation from the"
                + " clock, once the clock is known not to be behind that start");
        }
    }

    /**
     * Stores {@code generation} over the older slot; the first time, creates the file (which needs {@link #SIZE}
     * bytes of free space).
     *
     * @throws KvException with {@code STORAGE_FAILURE} when it cannot be stored
     */
    static void write(Path dataDirectory, long generation) {
        Path file = dataDirectory.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                create(dataDirectory, generation);
                return;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long[] slots = slots(channel);
                int older = slots[0] <= slots[1] ? 0 : 1;
                writeSlot(channel, older, generation);
                channel.force(false);
            }
        } catch (IOException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot store the node's new generation in " + file
                + ": " + e.getMessage() + (Files.exists(file) ? "" : " (creating it needs " + SIZE
                + " bytes of free space; later starts overwrite it in place and need none)"));
        }
    }

    /** Creates the file whole under a temporary name, then renames it, so it never exists half-written. */
    private static void create(Path dataDirectory, long generation) throws IOException {
        Path file = dataDirectory.resolve(FILE);
        Path temporary = dataDirectory.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(SIZE), 0);
            writeSlot(channel, 0, generation);
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(dataDirectory, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /** @return each slot's generation, or 0 for a slot that is empty or damaged */
    private static long[] slots(FileChannel channel) throws IOException {
        long[] generations = new long[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++) {
            ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (record.hasRemaining() && channel.read(record, (long) slot * SLOT_BYTES + record.position()) > 0) {
                // read on until the record is complete or the file ends
            }
            if (record.hasRemaining() || record.getInt(0) != MAGIC || record.getInt(12) != crc(record)) {
                continue;
            }
            generations[slot] = record.getLong(4);
        }
        return generations;
    }

    private static void writeSlot(FileChannel channel, int slot, long generation) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(0, MAGIC).putLong(4, generation);
        record.putInt(12, crc(record));
        while (record.hasRemaining()) {
            channel.write(record, (long) slot * SLOT_BYTES + record.position());
        }
    }

    private static int crc(ByteBuffer record) {
        CRC32C crc = new CRC32C();
        crc.update(record.slice(0, 12));
        return (int) crc.getValue();
    }
}

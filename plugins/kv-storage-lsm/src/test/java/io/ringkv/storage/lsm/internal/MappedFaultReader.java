package io.ringkv.storage.lsm.internal;

import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The child process of {@link PointReadsTest}'s fault test: writes a key into a table read through its mapping,
 * cuts the table's file short under the mapping, reads the key (the read faults: SIGBUS), and prints what the read
 * did ({@code FAILED <code> <message>} or {@code READ}), then whether a key still in the memtable reads
 * ({@code KEPT}). The test runs it under {@code -Xint}: HotSpot turns a fault in an unsafe read into an
 * {@link InternalError} reliably in the interpreter, and only on a best-effort basis in compiled code, where it
 * may abort the process instead.
 */
public final class MappedFaultReader {
    private MappedFaultReader() {
    }

    /** @param args the data directory */
    public static void main(String[] args) throws IOException {
        EngineConfig config = EngineConfig.of(Path.of(args[0]), "cut");
        LsmEngine engine = LsmEngine.open(config, LsmOptions.parse(Map.of("data-reads", "mmap")),
            System::currentTimeMillis);
        engine.put(1, Key.utf8("in-a-table"), "v".getBytes(), new byte[1000]);
        engine.flushMemtables();
        engine.put(2, Key.utf8("in-the-memtable"), "v".getBytes(), "kept".getBytes());
        Path table;
        try (Stream<Path> files = Files.list(config.storeDirectory())) {
            table = files.filter(file -> TableFiles.isTable(file.getFileName().toString())).findFirst()
                .orElseThrow();
        }
        try (FileChannel channel = FileChannel.open(table, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        System.out.println("TABLE " + table.getFileName());
        try {
            engine.get(1, Key.utf8("in-a-table"));
            System.out.println("READ");
        } catch (KvException e) {
            System.out.println("FAILED " + e.code() + " " + e.getMessage());
        }
        var kept = engine.get(2, Key.utf8("in-the-memtable"));
        if (kept != null && Arrays.equals(kept.value(), "kept".getBytes())) {
            System.out.println("KEPT");
        }
        System.out.flush();
        engine.close();
    }
}

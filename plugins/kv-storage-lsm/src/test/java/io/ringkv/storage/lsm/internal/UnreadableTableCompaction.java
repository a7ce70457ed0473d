package io.ringkv.storage.lsm.internal;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The child process of {@link CorruptionTest}'s lasting-fault test: writes a table, cuts its file short under the
 * mapping (every later read of it faults, as under a lasting disk error), writes two more tables of its size with
 * compaction taking two at a time, waits for compactions, and prints {@code TABLES} and the tables left, then
 * {@code FAULTS} and the read faults counted, then {@code LEFT_OUT} and the tables compaction leaves out. Run under {@code -Xint} ({@link InterpretedChild}).
 */
public final class UnreadableTableCompaction {
    private static final int KEYS = 100;

    private UnreadableTableCompaction() {
    }

    /** @param args the data directory */
    public static void main(String[] args) throws IOException {
        EngineConfig config = EngineConfig.of(Path.of(args[0]), "cut");
        LsmEngine engine = LsmEngine.open(config,
            LsmOptions.parse(Map.of("compaction-min-tables", "2", "compaction-max-tables", "2")),
            System::currentTimeMillis);
        table(engine, 0);
        Path unreadable = engine.tableFiles().getFirst();
        try (FileChannel channel = FileChannel.open(unreadable, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        // a tier with the unreadable table: each compaction of it faults, until it is left out
        table(engine, 1);
        table(engine, 2);
        engine.awaitCompactions();
        System.out.println("TABLES " + engine.tableFiles().size() + " " + engine.tableFiles().contains(unreadable));
        System.out.println("FAULTS " + engine.metrics().extra().get("sstable_read_faults"));
        System.out.println("LEFT_OUT " + engine.metrics().extra().get("sstables_left_out_of_compaction"));
        System.out.flush();
        engine.close();
    }

    private static void table(LsmEngine engine, int round) {
        for (int i = 0; i < KEYS; i++) {
            engine.put(i, Key.utf8("k" + round + "-" + i), "v".getBytes(), new byte[100]);
        }
        engine.flushMemtables();
    }
}

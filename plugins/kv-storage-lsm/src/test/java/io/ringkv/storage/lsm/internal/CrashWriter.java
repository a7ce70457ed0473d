package io.ringkv.storage.lsm.internal;

import io.ringkv.api.Key;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.lsm.LsmOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The child process of {@link CrashRecoveryTest}: opens a store with {@code sync=always} and tiny memtables (so
 * flushes and compactions run all the time), writes new keys from a start index until it is killed, and prints
 * {@code ACK <index>} after each write returned. In {@code buffered} mode the store runs {@code sync=periodic} with
 * its commit log appends buffered, and the child acknowledges batches of 1–20 writes after the {@code flush()}
 * that covers them, as the node's storage stage does.
 */
public final class CrashWriter {
    /** Options of the crashing store: fsync before ack, frequent flushes and compactions. */
    static final Map<String, String> OPTIONS = Map.of("sync", "always", "memtable-bytes", "16k", "block-bytes",
        "512", "compaction-min-tables", "2", "compaction-max-tables", "6");
    /** Options of the buffered mode: appends buffered in the process, durable at each flush. */
    static final Map<String, String> BUFFERED = Map.of("sync", "periodic", "log-buffer-bytes", "64k",
        "memtable-bytes", "16k", "block-bytes", "512", "compaction-min-tables", "2", "compaction-max-tables", "6");

    private CrashWriter() {
    }

    /** @param args the data directory, the first key index, the run number, and {@code buffered} for that mode */
    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        long index = Long.parseLong(args[1]);
        int run = Integer.parseInt(args[2]);
        boolean buffered = args.length > 3 && args[3].equals("buffered");
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        LsmEngine engine = LsmEngine.open(EngineConfig.of(data, "crash"),
            LsmOptions.parse(buffered ? BUFFERED : OPTIONS), System::currentTimeMillis);
        out.println("READY");
        out.flush();
        SplittableRandom batches = new SplittableRandom(run);
        while (buffered) {
            long first = index;
            for (int n = 1 + batches.nextInt(20); n > 0; n--) {
                engine.put(token(index), key(index), version(run), value(index, run));
                index++;
            }
            engine.flush();
            for (long acked = first; acked < index; acked++) {
                out.println("ACK " + acked);
            }
            out.flush();
        }
        while (true) {
            engine.put(token(index), key(index), version(run), value(index, run));
            out.println("ACK " + index);
            out.flush();
            index++;
        }
    }

    static long token(long index) {
        return index * 0x9E3779B97F4A7C15L;
    }

    static Key key(long index) {
        return Key.utf8("key-" + index);
    }

    static byte[] version(int run) {
        return ("run-" + run).getBytes(StandardCharsets.UTF_8);
    }

    /** A value only (index, run) produces, 100 to 600 bytes long. */
    static byte[] value(long index, int run) {
        SplittableRandom random = new SplittableRandom(index * 31 + run);
        byte[] value = new byte[100 + random.nextInt(500)];
        random.nextBytes(value);
        return value;
    }

    /** @return true when {@code value} is exactly what (index, run) wrote */
    static boolean intact(long index, int run, byte[] value) {
        return Arrays.equals(value(index, run), value);
    }
}

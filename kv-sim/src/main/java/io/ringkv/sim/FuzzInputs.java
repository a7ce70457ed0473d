package io.ringkv.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs a fuzz target ({@code fuzzerTestOneInput}, the entry point Jazzer drives in
 * {@code benchmarks/scripts/fuzz.sh}) in the ordinary test suite: over every input kept under
 * {@code src/test/resources/fuzz/<target>/} (what a fuzzing run found, kept as a regression test) and over seeded
 * random inputs, so the target's property is checked on every build, not only when the fuzzer runs.
 */
public final class FuzzInputs {
    private static final int RANDOM_INPUTS = 2_000;
    private static final int MAX_RANDOM_LENGTH = 512;

    /** Where {@link #asDatagram} puts a fuzz input in its buffer. */
    public static final int DATAGRAM_OFFSET = 8;

    private FuzzInputs() {
    }

    /**
     * @return a buffer holding {@code data} at {@link #DATAGRAM_OFFSET} with bytes after it, as a datagram lies in
     *     the transport's receive buffer: a decoder that reads outside its message's bounds reads these, not an
     *     exception of the buffer's own
     */
    public static org.agrona.concurrent.UnsafeBuffer asDatagram(byte[] data) {
        byte[] padded = new byte[data.length + 2 * DATAGRAM_OFFSET];
        System.arraycopy(data, 0, padded, DATAGRAM_OFFSET, data.length);
        return new org.agrona.concurrent.UnsafeBuffer(padded);
    }

    /**
     * @param target the fuzz target's class name, the directory its kept inputs are in
     * @param property throws when an input breaks the target's property
     * @return how many kept inputs were replayed
     */
    public static int replay(String target, Consumer<byte[]> property) {
        int kept = 0;
        Path directory = Path.of("src", "test", "resources", "fuzz", target);
        if (Files.isDirectory(directory)) {
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.sorted().toList()) {
                    property.accept(Files.readAllBytes(file));
                    kept++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        SplittableRandom random = new SplittableRandom(target.hashCode());
        for (byte[] small : List.of(new byte[0], new byte[1], new byte[8], new byte[64])) {
            property.accept(small);
        }
        for (int i = 0; i < RANDOM_INPUTS; i++) {
            byte[] input = new byte[random.nextInt(MAX_RANDOM_LENGTH)];
            random.nextBytes(input);
            property.accept(input);
        }
        return kept;
    }
}

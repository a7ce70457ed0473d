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
     * The SBE message header a codec accepts (little-endian, as {@code io.ringkv.api.MessageHeader} reads it).
     * Random bytes almost never carry it: a decoder that first checks the schema version or routes on the template
     * refuses nearly all of them at the header, so a replay without it tests only that check.
     *
     * @param schemaId the schema's id
     * @param version the schema version the codec speaks
     * @param maxTemplateId the highest template id of the schema
     */
    public record SbeHeader(int schemaId, int version, int maxTemplateId) {
        /** Bytes of the header. */
        public static final int LENGTH = 8;

        /** @return the schema version {@code input} carries, or -1 when it is shorter than a header */
        public static int versionOf(byte[] input) {
            return input.length < LENGTH ? -1 : (input[6] & 0xFF) | (input[7] & 0xFF) << 8;
        }

        /** Writes this header with {@code blockLength} and {@code templateId} over the first bytes of {@code input}. */
        void writeOver(byte[] input, int blockLength, int templateId) {
            putShort(input, 0, blockLength);
            putShort(input, 2, templateId);
            putShort(input, 4, schemaId);
            putShort(input, 6, version);
        }

        private static void putShort(byte[] input, int at, int value) {
            input[at] = (byte) value;
            input[at + 1] = (byte) (value >>> 8);
        }
    }

    /**
     * @param target the fuzz target's class name, the directory its kept inputs are in
     * @param property throws when an input breaks the target's property
     * @return how many kept inputs were replayed
     */
    public static int replay(String target, Consumer<byte[]> property) {
        return replay(target, null, property);
    }

    /**
     * {@link #replay(String, Consumer)} for a decoder of SBE messages: every kept input must carry {@code header}'s
     * schema version (one that does not is refused before its decoder and tests nothing: rewrite its bytes 6–7 when
     * the schema's version moves), and as many random inputs again start with {@code header} and a known template,
     * so they reach the decoders behind it.
     *
     * @param header the header the codec accepts, or null when its inputs are not SBE messages
     * @throws IllegalStateException when a kept input carries another schema version
     */
    public static int replay(String target, SbeHeader header, Consumer<byte[]> property) {
        int kept = 0;
        Path directory = Path.of("src", "test", "resources", "fuzz", target);
        if (Files.isDirectory(directory)) {
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.sorted().toList()) {
                    byte[] input = Files.readAllBytes(file);
                    if (header != null && SbeHeader.versionOf(input) != header.version()) {
                        throw new IllegalStateException("the kept input " + file + " carries schema version "
                            + SbeHeader.versionOf(input) + ", but the codec speaks " + header.version()
                            + ": it is refused before the decoder it was kept for and tests nothing; set its bytes"
                            + " 6-7 (little-endian) to " + header.version()
                            + " and check it still reaches that decoder");
                    }
                    property.accept(input);
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
        if (header != null) {
            for (int i = 0; i < RANDOM_INPUTS; i++) {
                byte[] input = new byte[SbeHeader.LENGTH + random.nextInt(MAX_RANDOM_LENGTH)];
                random.nextBytes(input);
                // mostly block lengths near the schemas' (tens of bytes), sometimes past the message's end
                int blockLength = random.nextInt(Math.min(input.length, 128));
                header.writeOver(input, blockLength, 1 + random.nextInt(header.maxTemplateId()));
                property.accept(input);
            }
        }
        return kept;
    }
}

package io.ringkv.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fuzz target's property on every build: its kept findings ({@code src/test/resources/fuzz/...}) and seeded
 * random inputs, some of them starting as a context does. (kv-api's tests cannot use the simulator module's
 * {@code FuzzInputs}, which depends on kv-api.)
 */
class VersionEncodingFuzzTargetTest {
    @Test
    void keptFindingsAndRandomInputsAreDecodedOrRefused() throws IOException {
        Path kept = Path.of("src", "test", "resources", "fuzz", "VersionEncodingFuzzTarget");
        if (Files.isDirectory(kept)) {
            try (Stream<Path> files = Files.list(kept)) {
                for (Path file : files.sorted().toList()) {
                    VersionEncodingFuzzTarget.fuzzerTestOneInput(Files.readAllBytes(file));
                }
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] input = new byte[random.nextInt(256)];
            random.nextBytes(input);
            if (i % 2 == 0 && input.length >= 2) {
                input[0] = 'C';
                input[1] = 2;
            }
            VersionEncodingFuzzTarget.fuzzerTestOneInput(input);
        }
    }
}

package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterKeyTest {
    @TempDir
    Path directory;

    @Test
    void aGeneratedKeyFileLoadsAsOneKey() throws IOException {
        String text = ClusterKey.generate(new SecureRandom());
        ClusterKey key = ClusterKey.load(privateFile("cluster.key", text));
        assertEquals(1, key.keyCount());
        assertFalse(key.toString().contains(text.lines().filter(line -> !line.startsWith("#")).findFirst()
            .orElseThrow()), "the key is never printed");
    }

    @Test
    void aRotationFileHoldsTheCurrentKeyThenThePreviousOne() throws IOException {
        byte[] current = new byte[32];
        byte[] previous = new byte[48];
        current[0] = 1;
        previous[0] = 2;
        ClusterKey key = ClusterKey.load(privateFile("cluster.key", "# rotating\n"
            + Base64.getEncoder().encodeToString(current) + "\n\n" + Base64.getEncoder().encodeToString(previous)
            + "\n"));
        assertEquals(2, key.keyCount());
        assertEquals(1, key.key(0)[0]);
        assertEquals(2, key.key(1)[0]);
    }

    @Test
    void aFileReadableByOthersIsRefused() throws IOException {
        Path file = privateFile("cluster.key", ClusterKey.generate(new SecureRandom()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertRefused(file, "chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertRefused(file, "group or others");
    }

    @Test
    void aMissingFileIsRefused() {
        assertRefused(directory.resolve("absent.key"), "cannot be read");
    }

    @Test
    void aShortKeyIsRefused() throws IOException {
        assertRefused(privateFile("short.key", Base64.getEncoder().encodeToString(new byte[31]) + "\n"),
            "has 31 bytes");
    }

    @Test
    void textThatIsNotBase64IsRefused() throws IOException {
        assertRefused(privateFile("garbage.key", "not a key!\n"), "line 1 is not base64");
    }

    @Test
    void anEmptyFileOrThreeKeysAreRefused() throws IOException {
        assertRefused(privateFile("empty.key", "# nothing\n"), "holds 0 keys");
        String line = Base64.getEncoder().encodeToString(new byte[32]) + "\n";
        assertRefused(privateFile("three.key", line + line + line), "holds 3 keys");
    }

    private void assertRefused(Path file, String because) {
        KvException error = assertThrows(KvException.class, () -> ClusterKey.load(file));
        assertEquals(ErrorCode.INVALID_CONFIGURATION, error.code());
        assertTrue(error.getMessage().contains(because), error.getMessage());
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    private Path privateFile(String name, String text) throws IOException {
        Path file = directory.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}

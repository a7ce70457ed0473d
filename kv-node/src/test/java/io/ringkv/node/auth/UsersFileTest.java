package io.ringkv.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users file: its lines, its hashes, its permissions, and how it is written. */
class UsersFileTest {
    private static final int FAST = PasswordHash.MIN_ITERATIONS;

    @TempDir
    Path directory;

    private static PasswordHash hash(String password) {
        return PasswordHash.create(password.toCharArray(), FAST, new SecureRandom());
    }

    private Path file(String... lines) throws IOException {
        Path file = directory.resolve("users");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        if (posix()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    private boolean posix() {
        return Files.getFileAttributeView(directory, PosixFileAttributeView.class) != null;
    }

    @Test
    void aHashVerifiesItsPasswordOnlyAndSurvivesItsText() {
        PasswordHash hash = hash("correct horse");
        PasswordHash read = PasswordHash.parse(hash.format());
        assertEquals(hash, read);
        assertTrue(read.matches("correct horse".getBytes(StandardCharsets.UTF_8)));
        assertFalse(read.matches("correct horse ".getBytes(StandardCharsets.UTF_8)));
        assertFalse(read.matches(new byte[] {(byte) 0xff, (byte) 0xfe}), "bytes that are not UTF-8 never match");
        assertTrue(hash.format().startsWith("pbkdf2-sha256$1000$"));
        assertFalse(hash.toString().contains(PasswordHash.parse(hash.format()).format().split("\\$")[3]),
            "toString never shows the hash");
    }

    @Test
    void twoHashesOfOnePasswordDifferByTheirSalt() {
        assertFalse(hash("same").equals(hash("same")));
    }

    @Test
    void loadsEveryUserAndSkipsCommentsAndBlankLines() throws IOException {
        Path file = file("# the node's users", "", "alice readwrite " + hash("a").format(),
            "  bob   read   " + hash("b").format() + "  ", "root admin " + hash("r").format());
        Users users = UsersFile.load(file);
        assertEquals(3, users.size());
        assertEquals(Permission.READWRITE, users.find("alice").orElseThrow().permission());
        assertEquals(Permission.READ, users.find("bob").orElseThrow().permission());
        assertEquals(Permission.ADMIN, users.find("root").orElseThrow().permission());
        assertTrue(users.find("bob").orElseThrow().password().matches("b".getBytes(StandardCharsets.UTF_8)));
        assertTrue(users.find("carol").isEmpty());
    }

    @Test
    void aBadLineIsRefusedNamingItsNumberAndWhyWithoutQuotingTheHash() throws IOException {
        String good = hash("a").format();
        String secret = good.split("\\$")[3];
        assertRefused(file("alice readwrite"), "line 1: expected <name> <permission> <password hash>, found 2");
        assertRefused(file("# c", "alice writer " + good), "line 2: unknown permission 'writer'");
        assertRefused(file("al ice read " + good), "line 1: expected <name> <permission> <password hash>, found 4");
        assertRefused(file("al/ice read " + good), "line 1: a user name is");
        assertRefused(file("alice read " + good, "alice admin " + good), "line 2: user alice is given twice");
        KvException notAHash = assertRefused(file("alice read sha1$" + secret), "line 1: the password hash is not");
        assertFalse(notAHash.getMessage().contains(secret), notAHash.getMessage());
        KvException weak = assertRefused(file("alice read " + good.replace("$1000$", "$999$")),
            "line 1: the iteration count must be 1000–10000000, was 999");
        assertFalse(weak.getMessage().contains(secret), weak.getMessage());
        KvException shortHash = assertRefused(file("alice read " + good.substring(0, good.length() - 4)),
            "line 1: the hash must be 32 bytes");
        assertFalse(shortHash.getMessage().contains(secret.substring(0, 10)), shortHash.getMessage());
        assertRefused(file("alice read pbkdf2-sha256$x$" + secret + "$" + secret), "line 1: the iteration count");
        assertRefused(file("alice read pbkdf2-sha256$1000$!!$" + secret), "line 1: the salt or hash");
    }

    @Test
    void aFileOthersMayReadIsRefusedAndOneOnlyItsOwnerReadsIsTaken() throws IOException {
        assumeTrue(posix(), "the file system has POSIX permissions");
        Path file = file("alice read " + hash("a").format());
        assertEquals(1, UsersFile.load(file).size());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        KvException refused = assertThrows(KvException.class, () -> UsersFile.load(file));
        assertTrue(refused.getMessage().contains("rw-r--r--") && refused.getMessage().contains("chmod 600"),
            refused.getMessage());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));
        assertThrows(KvException.class, () -> UsersFile.load(file), "writable by its group");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(1, UsersFile.load(file).size(), "its group may read it");
    }

    @Test
    void aMissingFileIsRefusedByName() {
        Path missing = directory.resolve("nope");
        KvException refused = assertThrows(KvException.class, () -> UsersFile.load(missing));
        assertTrue(refused.getMessage().contains(missing + " does not exist"), refused.getMessage());
    }

    @Test
    void putAddsAUserThenReplacesItKeepingTheOtherLinesAndOnlyItsOwnerMayReadTheFile() throws IOException {
        Path file = directory.resolve("new-users");
        assertTrue(UsersFile.put(file, new User("alice", Permission.READ, hash("one"))));
        if (posix()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        Files.write(file, List.of("# keep me", Files.readAllLines(file).getFirst()));
        if (posix()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        assertTrue(UsersFile.put(file, new User("bob", Permission.ADMIN, hash("two"))));
        assertFalse(UsersFile.put(file, new User("alice", Permission.READWRITE, hash("three"))));
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("# keep me", lines.getFirst());
        assertTrue(lines.get(1).startsWith("alice readwrite pbkdf2-sha256$1000$"), lines.get(1));
        assertTrue(lines.get(2).startsWith("bob admin "), lines.get(2));
        Users users = UsersFile.load(file);
        assertTrue(users.find("alice").orElseThrow().password().matches("three".getBytes(StandardCharsets.UTF_8)));
        assertFalse(users.find("alice").orElseThrow().password().matches("one".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eachPermissionIncludesTheOnesBelowIt() {
        assertTrue(Permission.ADMIN.permits(Permission.READWRITE) && Permission.ADMIN.permits(Permission.READ));
        assertTrue(Permission.READWRITE.permits(Permission.READ));
        assertFalse(Permission.READWRITE.permits(Permission.ADMIN));
        assertFalse(Permission.READ.permits(Permission.READWRITE));
        assertEquals(Permission.READWRITE, Permission.parse("readwrite"));
        assertThrows(IllegalArgumentException.class, () -> Permission.parse("READ"));
    }

    private static KvException assertRefused(Path file, String expected) {
        KvException refused = assertThrows(KvException.class, () -> UsersFile.load(file));
        assertTrue(refused.getMessage().contains("users file " + file + " " + expected), refused.getMessage());
        return refused;
    }
}

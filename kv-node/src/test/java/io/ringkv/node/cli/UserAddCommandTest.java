package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.node.auth.Permission;
import io.ringkv.node.auth.Users;
import io.ringkv.node.auth.UsersFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringkv user add} without a terminal: the password is the first line of the standard input. */
class UserAddCommandTest {
    @TempDir
    Path directory;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int add(String name, String permission, String input) {
        UserAddCommand command = new UserAddCommand();
        command.name = name;
        command.permission = permission;
        command.usersFile = directory.resolve("users");
        command.iterations = 1000;
        command.console = null;
        command.stdin = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        return command.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void thePasswordIsTheFirstLineOfTheInputWithoutItsLineEnd() {
        assertEquals(0, add("alice", "readwrite", "pässword\r\nignored\n"));
        Users users = UsersFile.load(directory.resolve("users"));
        assertEquals(Permission.READWRITE, users.find("alice").orElseThrow().permission());
        assertTrue(users.find("alice").orElseThrow().password().matches("pässword".getBytes(StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("added user alice (readwrite)"));
    }

    @Test
    void anEmptyPasswordChangesNothing() {
        assertEquals(1, add("alice", "read", "\n"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the password is empty"));
        assertFalse(Files.exists(directory.resolve("users")));
    }

    @Test
    void anUnknownPermissionOrNameIsAUsageError() {
        UsageException permission = assertThrows(UsageException.class, () -> add("alice", "write", "pw\n"));
        assertTrue(permission.getMessage().contains("unknown permission 'write'"), permission.getMessage());
        assertThrows(UsageException.class, () -> add("al ice", "read", "pw\n"));
        assertFalse(Files.exists(directory.resolve("users")));
    }
}

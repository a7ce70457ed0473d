package io.ringkv.node.cli;

import io.ringkv.node.auth.PasswordHash;
import io.ringkv.node.auth.Permission;
import io.ringkv.node.auth.User;
import io.ringkv.node.auth.UsersFile;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * {@code ringkv user add NAME --permission P --users-file PATH}: adds a user to a users file, or changes one's
 * permission and password. The password is read from the terminal (twice, not echoed) or, when the input is not a
 * terminal, from the first line of the standard input; never from the command line, where other users of the
 * machine and the shell's history would see it.
 */
@CommandLine.Command(name = "add",
    description = {"Add a user to a users file, or change a user's permission and password.",
        "Reads the password from the terminal (asked twice, not shown), or from the first line of the standard input"
            + " when it is not a terminal (echo \"$PASSWORD\" | ringkv user add ...). The file keeps a salted"
            + " PBKDF2-HMAC-SHA256 hash of it, never the password, and is made readable by its owner only."
            + " A running node reads the file when it starts: restart it to apply the change."})
final class UserAddCommand implements Command {
    /** The longest password read from the standard input, so a stray pipe cannot fill the memory. */
    private static final int MAX_PASSWORD_BYTES = 4096;

    @CommandLine.Parameters(paramLabel = "NAME", description = "the user's name: 1-64 letters, digits or . _ @ -;"
        + " 'default' is the user AUTH <password> logs in as")
    String name;

    @CommandLine.Option(names = "--permission", required = true, paramLabel = "P", description = "read (GET, MGET,"
        + " EXISTS, SCAN, TTL, INFO...), readwrite (also SET, DEL, EXPIRE...) or admin (also REMOVENODE, REPAIR,"
        + " DECOMMISSION, CLEANUP); required, no default")
    String permission;

    @CommandLine.Option(names = "--users-file", required = true, paramLabel = "PATH", description = "the users file"
        + " (created when missing); the node's --users-file; required, no default")
    Path usersFile;

    @CommandLine.Option(names = "--iterations", paramLabel = "N", description = "PBKDF2 iterations: each login costs"
        + " this many HMAC-SHA256 rounds, " + PasswordHash.MIN_ITERATIONS + "-" + PasswordHash.MAX_ITERATIONS)
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    /** Where a password comes from when there is no terminal; a test replaces it. */
    InputStream stdin = System.in;
    /** The terminal, or null; a test sets null. */
    Console console = terminal();

    @Inject
    UserAddCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        Permission chosen;
        try {
            chosen = Permission.parse(permission);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--permission: " + e.getMessage());
        }
        if (!User.validName(name)) {
            throw new UsageException("a user name is 1-64 letters, digits or . _ @ -, was '" + name + "'");
        }
        Bounds.check("--iterations", iterations, PasswordHash.MIN_ITERATIONS, PasswordHash.MAX_ITERATIONS);
        char[] password = readPassword(err);
        if (password == null) {
            return Launcher.FAILED;
        }
        try {
            User user = new User(name, chosen, PasswordHash.create(password, iterations, new SecureRandom()));
            boolean added = UsersFile.put(usersFile, user);
            out.println((added ? "added user " : "updated user ") + name + " (" + chosen.word() + ") to "
                + usersFile + "; restart the nodes that use it");
            return Launcher.OK;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** @return the console when the standard input is a terminal (since JDK 22 there may be one that is not) */
    private static Console terminal() {
        Console console = System.console();
        return console != null && console.isTerminal() ? console : null;
    }

    /** @return the password, or null after saying on {@code err} why there is none */
    private char[] readPassword(PrintStream err) {
        if (console != null) {
            char[] first = console.readPassword("Password for %s: ", name);
            char[] second = first == null ? null : console.readPassword("Again: ");
            if (first == null || second == null || !Arrays.equals(first, second)) {
                err.println("ringkv user add: the passwords differ (or none was typed); nothing changed");
                return null;
            }
            Arrays.fill(second, '\0');
            return nonEmpty(first, err);
        }
        try {
            return nonEmpty(firstLine(stdin), err);
        } catch (IOException e) {
            err.println("ringkv user add: cannot read the password from the standard input: " + e.getMessage());
            return null;
        }
    }

    private static char[] nonEmpty(char[] password, PrintStream err) {
        if (password.length == 0) {
            err.println("ringkv user add: the password is empty; nothing changed");
            return null;
        }
        return password;
    }

    /** @return the first line of {@code in} without its end of line, as UTF-8 */
    private static char[] firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (line.size() >= MAX_PASSWORD_BYTES) {
                throw new IOException("the first line is longer than " + MAX_PASSWORD_BYTES + " bytes");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, length));
        char[] password = new char[chars.remaining()];
        chars.get(password);
        Arrays.fill(bytes, (byte) 0);
        Arrays.fill(chars.array(), '\0');
        return password;
    }
}

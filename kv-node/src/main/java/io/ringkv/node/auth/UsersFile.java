package io.ringkv.node.auth;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The users file: one user a line, {@code <name> <permission> <password hash>} (for example
 * {@code alice readwrite pbkdf2-sha256$600000$<salt>$<hash>}), blank lines and lines starting with {@code #}
 * ignored. A node refuses a file others may read or anyone but its owner may write, and any line it cannot read,
 * saying which line and why but never quoting a hash.
 */
public final class UsersFile {
    /** Permissions a users file must not have: readable or writable by others, writable by its group. */
    private static final Set<PosixFilePermission> TOO_OPEN = EnumSet.of(PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.GROUP_WRITE);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private UsersFile() {
    }

    /**
     * @return the users of {@code file}
     * @throws KvException with {@code INVALID_CONFIGURATION} when it cannot be read, is open to others, or holds
     *     a line that is not a user
     */
    public static Users load(Path file) {
        checkPermissions(file);
        List<String> lines = readLines(file);
        List<User> users = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                User user = parseLine(line);
                if (users.stream().anyMatch(known -> known.name().equals(user.name()))) {
                    throw new IllegalArgumentException("user " + user.name() + " is given twice");
                }
                users.add(user);
            } catch (IllegalArgumentException e) {
                throw invalid("users file " + file + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new Users(users);
    }

    /** @throws IllegalArgumentException saying what is wrong with the line, never quoting its hash */
    static User parseLine(String line) {
        String[] fields = line.strip().split("\\s+");
        if (fields.length != 3) {
            throw new IllegalArgumentException("expected <name> <permission> <password hash>, found " + fields.length
                + " field" + (fields.length == 1 ? "" : "s"));
        }
        if (!User.validName(fields[0])) {
            throw new IllegalArgumentException("a user name is 1–64 letters, digits or . _ @ -");
        }
        return new User(fields[0], Permission.parse(fields[1]), PasswordHash.parse(fields[2]));
    }

    /** @return the line that {@link #load} reads as {@code user} */
    public static String line(User user) {
        return user.name() + " " + user.permission().word() + " " + user.password().format();
    }

    /**
     * Adds {@code user} to {@code file}, or replaces the line of the user of that name, keeping every other line;
     * creates the file (readable by its owner only) when there is none. The file is replaced whole, by a rename,
     * so a node never reads half of it.
     *
     * @return true when the user was new
     * @throws KvException with {@code INVALID_CONFIGURATION} when the file cannot be read or written
     */
    public static boolean put(Path file, User user) {
        List<String> lines = Files.exists(file) ? readLines(file) : new ArrayList<>();
        boolean added = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.split("\\s+")[0].equals(user.name())) {
                lines.set(i, line(user));
                added = false;
            }
        }
        if (added) {
            lines.add(line(user));
        }
        write(file, lines);
        return added;
    }

    private static void write(Path file, List<String> lines) {
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(temporary);
            if (posix(absolute.getParent())) {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(temporary);
            }
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw invalid("cannot write users file " + file + ": " + e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw invalid("users file " + file + " does not exist (create it with 'ringkv user add')");
        } catch (AccessDeniedException e) {
            throw invalid("users file " + file + " cannot be read by this user");
        } catch (IOException e) {
            throw invalid("cannot read users file " + file + ": " + e.getMessage());
        }
    }

    /** Password hashes are slow to guess, not impossible: only the node's own user may read them. */
    private static void checkPermissions(Path file) {
        if (!Files.exists(file)) {
            return;
        }
        if (!posix(file)) {
            return;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (IOException e) {
            throw invalid("cannot read the permissions of users file " + file + ": " + e.getMessage());
        }
        Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        open.addAll(permissions);
        open.retainAll(TOO_OPEN);
        if (!open.isEmpty()) {
            throw invalid("users file " + file + " is " + PosixFilePermissions.toString(permissions)
                + ": others may read or change the password hashes; make it readable by the node's user only"
                + " (chmod 600 " + file + ")");
        }
    }

    private static boolean posix(Path path) {
        return path != null && Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}

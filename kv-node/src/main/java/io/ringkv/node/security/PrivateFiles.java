package io.ringkv.node.security;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** The check that a file holding a secret (a key, a password) is private to the node's user. */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> SHARED = EnumSet.of(PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /**
     * @param file the file
     * @param what what it holds, for the message ("cluster key file")
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the file and the fix when its group or others
     *     may use it; nothing is checked on a file system without POSIX permissions
     */
    public static void requirePrivate(Path file, String what) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (IOException | RuntimeException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, what + " " + file + " cannot be read ("
                + e.getClass().getSimpleName() + ")");
        }
        if (permissions.stream().anyMatch(SHARED::contains)) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, what + " " + file + " is "
                + PosixFilePermissions.toString(permissions) + ", accessible by group or others; make it private to"
                + " the node's user (chmod 600 " + file + ")");
        }
    }
}

package io.ringkv.node.auth;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One user of the client ports: a name, what it may do, and the hash of its password.
 *
 * @param name 1–64 characters of letters, digits and {@code . _ @ -}
 */
public record User(String name, Permission permission, PasswordHash password) {
    /** The user {@code AUTH <password>} logs in as, as in Redis. */
    public static final String DEFAULT = "default";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    /** @throws IllegalArgumentException when the name is not a valid user name */
    public User {
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(password, "password");
        if (!validName(name)) {
            throw new IllegalArgumentException("a user name is 1–64 letters, digits or . _ @ -");
        }
    }

    /** @return whether {@code name} may name a user */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}

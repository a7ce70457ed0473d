package io.ringkv.node.auth;

import java.util.Locale;

/**
 * What a user may do, each level including the one before: {@link #READ} runs the commands that change nothing,
 * {@link #READWRITE} also the ones that write data, {@link #ADMIN} also the operator commands (membership, repair,
 * cleanup).
 */
public enum Permission {
    READ,
    READWRITE,
    ADMIN;

    /** @return whether a user with this permission may do what {@code required} guards */
    public boolean permits(Permission required) {
        return compareTo(required) >= 0;
    }

    /** @return the word of the users file and the command line: {@code read}, {@code readwrite}, {@code admin} */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return the permission {@code word} names
     * @throws IllegalArgumentException naming the words allowed
     */
    public static Permission parse(String word) {
        for (Permission permission : values()) {
            if (permission.word().equals(word)) {
                return permission;
            }
        }
        throw new IllegalArgumentException("unknown permission '" + word + "' (read, readwrite or admin)");
    }
}

package io.ringkv.node.auth;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The users a node knows, by name; immutable. */
public final class Users {
    private final Map<String, User> byName;

    /** @throws IllegalArgumentException when two users share a name */
    public Users(Collection<User> users) {
        Map<String, User> map = new LinkedHashMap<>();
        for (User user : users) {
            if (map.putIfAbsent(user.name(), user) != null) {
                throw new IllegalArgumentException("user " + user.name() + " is given twice");
            }
        }
        byName = Map.copyOf(map);
    }

    /** @return the user named {@code name}, if any */
    public Optional<User> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @return how many users there are */
    public int size() {
        return byName.size();
    }

    /** @return every user */
    public Collection<User> all() {
        return byName.values();
    }
}

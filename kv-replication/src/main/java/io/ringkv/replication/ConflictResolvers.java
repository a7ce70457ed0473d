package io.ringkv.replication;

import io.ringkv.api.ConflictResolver;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Finds {@link ConflictResolver} plugins by name with {@link ServiceLoader}: the built-in {@code lww} and
 * {@code vector-clock}, and any resolver a jar on the module path provides.
 */
public final class ConflictResolvers {
    private ConflictResolvers() {
    }

    /**
     * @param name the resolver's name, e.g. {@code vector-clock}
     * @return the resolver registered under that name
     * @throws KvException with {@link ErrorCode#UNKNOWN_PLUGIN} listing the names found
     */
    public static ConflictResolver named(String name) {
        SortedMap<String, ConflictResolver> found = available();
        ConflictResolver resolver = found.get(name);
        if (resolver == null) {
            throw new KvException(ErrorCode.UNKNOWN_PLUGIN,
                "no conflict resolver named '" + name + "'; resolvers found: " + String.join(", ", found.keySet()));
        }
        return resolver;
    }

    /**
     * @return every resolver visible to this module's layer, by name
     * @throws KvException with {@link ErrorCode#INVALID_CONFIGURATION} when two plugins claim one name
     */
    public static SortedMap<String, ConflictResolver> available() {
        SortedMap<String, ConflictResolver> byName = new TreeMap<>();
        for (ConflictResolver resolver : ServiceLoader.load(ConflictResolver.class)) {
            ConflictResolver previous = byName.putIfAbsent(resolver.name(), resolver);
            if (previous != null && previous.getClass() != resolver.getClass()) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION,
                    "two conflict resolvers are named '" + resolver.name() + "': " + previous.getClass().getName()
                        + " and " + resolver.getClass().getName());
            }
        }
        return byName;
    }
}

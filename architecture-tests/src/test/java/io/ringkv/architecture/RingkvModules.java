package io.ringkv.architecture;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The ringkv modules on this test's module path: their descriptors and where their classes are. */
final class RingkvModules {
    private RingkvModules() {
    }

    /** @return every module on the module path whose name starts with {@code io.ringkv.} */
    static List<ModuleReference> all() {
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath == null || modulePath.isBlank()) {
            throw new IllegalStateException("the architecture tests must run on the module path");
        }
        List<Path> entries = new ArrayList<>();
        for (String entry : modulePath.split(java.io.File.pathSeparator)) {
            entries.add(Path.of(entry));
        }
        return ModuleFinder.of(entries.toArray(Path[]::new)).findAll().stream()
            .filter(ref -> ref.descriptor().name().startsWith("io.ringkv."))
            .toList();
    }

    /** @return the descriptors of {@link #all()} */
    static List<ModuleDescriptor> descriptors() {
        return all().stream().map(ModuleReference::descriptor).toList();
    }

    /** @return where the classes of the named ringkv module live */
    static Optional<Path> location(String moduleName) {
        return all().stream()
            .filter(ref -> ref.descriptor().name().equals(moduleName))
            .flatMap(ref -> ref.location().stream())
            .map(Path::of)
            .findFirst();
    }
}

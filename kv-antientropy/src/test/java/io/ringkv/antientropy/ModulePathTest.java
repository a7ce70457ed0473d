package io.ringkv.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModulePathTest {

    @Test
    void testsRunInsideTheNamedModule() {
        assertEquals("io.ringkv.antientropy", RangeTree.class.getModule().getName(),
            "tests must run on the module path, where module-info.java's rules are enforced");
        assertEquals(RangeTree.class.getModule(), getClass().getModule());
    }

    @Test
    void onlyThePublicPackageIsExported() {
        ModuleDescriptor descriptor = RangeTree.class.getModule().getDescriptor();
        Set<String> exported = descriptor.exports().stream()
            .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("io.ringkv.antientropy"), exported);
    }
}

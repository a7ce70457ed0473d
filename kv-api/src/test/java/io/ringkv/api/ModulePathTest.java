package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ModulePathTest {

    @Test
    void testsRunInsideTheNamedModule() {
        assertEquals("io.ringkv.api", Key.class.getModule().getName(),
            "tests must run on the module path, where module-info.java's rules are enforced");
        assertEquals(Key.class.getModule(), getClass().getModule());
    }
}

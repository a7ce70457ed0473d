package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void spaceAndEqualsFormsBothParse() {
        Options options = Options.parse(List.of("--nodes", "4,16", "--seed=9"));
        assertEquals(List.of(4, 16), options.integers("nodes", List.of(), 1, 100));
        assertEquals(9, options.longValue("seed", 0));
        assertEquals(3, options.integer("rf", 3, 1, 16), "absent options take the fallback");
    }

    @Test
    void aMissingValueARepeatedOptionAndABareWordAreErrors() {
        assertTrue(assertThrows(UsageException.class, () -> Options.parse(List.of("--nodes")))
            .getMessage().contains("--nodes needs a value"));
        assertTrue(assertThrows(UsageException.class, () -> Options.parse(List.of("--a", "1", "--a", "2")))
            .getMessage().contains("twice"));
        assertTrue(assertThrows(UsageException.class, () -> Options.parse(List.of("--a", "1", "nodes")))
            .getMessage().contains("unexpected argument 'nodes'"));
        assertTrue(assertThrows(UsageException.class, () -> Options.parse(List.of("nodes")).rejectUnknown(Set.of("a")))
            .getMessage().contains("unexpected argument 'nodes'"));
    }

    @Test
    void oneLeadingBareWordIsTheCommandsArgument() {
        Options options = Options.parse(List.of("node3", "--port", "7380"));
        options.rejectUnknown(Set.of(Options.ARGUMENT, "port"));
        assertEquals("node3", options.text(Options.ARGUMENT, null));
    }

    @Test
    void outOfRangeNumbersNameTheRange() {
        Options options = Options.parse(List.of("--rf", "17"));
        assertEquals("--rf must be from 1 to 16, was 17",
            assertThrows(UsageException.class, () -> options.integer("rf", 3, 1, 16)).getMessage());
    }

    @Test
    void unknownOptionsAreRejected() {
        Options options = Options.parse(List.of("--x", "1"));
        assertThrows(UsageException.class, () -> options.rejectUnknown(Set.of("y")));
    }
}

package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private final ReplayWindow window = new ReplayWindow();

    @Test
    void eachSequenceIsAcceptedOnce() {
        assertTrue(window.accept(1, 10));
        assertFalse(window.accept(1, 10));
        assertTrue(window.accept(1, 11));
        assertFalse(window.accept(1, 11));
        assertFalse(window.accept(1, 10));
    }

    @Test
    void reorderedSequencesWithinTheWindowAreAcceptedOnce() {
        assertTrue(window.accept(1, 100));
        assertTrue(window.accept(1, 100 - ReplayWindow.SIZE + 1));
        assertTrue(window.accept(1, 99));
        assertFalse(window.accept(1, 99));
        assertFalse(window.accept(1, 100 - ReplayWindow.SIZE + 1));
    }

    @Test
    void sequencesOlderThanTheWindowAreRefused() {
        assertTrue(window.accept(1, 100));
        assertFalse(window.accept(1, 100 - ReplayWindow.SIZE));
        assertTrue(window.accept(1, 100 + 2 * ReplayWindow.SIZE));
        assertFalse(window.accept(1, 101));
    }

    @Test
    void aNewerGenerationStartsAfreshAndAnOlderOneIsRefused() {
        assertTrue(window.accept(5, 1_000));
        assertTrue(window.accept(6, 1));
        assertFalse(window.accept(5, 1_001));
        assertTrue(window.accept(6, 2));
    }

    @Test
    void sequencesFarApartDoNotWrapAround() {
        assertTrue(window.accept(1, Long.MAX_VALUE));
        assertFalse(window.accept(1, Long.MIN_VALUE));
        assertFalse(window.accept(1, -1));
        assertFalse(window.accept(1, Long.MAX_VALUE));
    }
}

package io.ringkv.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottledLogTest {
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(-5);
    private final ThrottledLog log = new ThrottledLog(new Recorder(), 10_000_000_000L, now::get);

    @Test
    void aFloodOfErrorsBecomesOneLinePerIntervalThatCountsTheRest() {
        assertTrue(log.warn("boom"), "the first error is logged at once");
        for (int i = 0; i < 1000; i++) {
            now.addAndGet(1_000_000);
            assertFalse(log.warn("boom"));
        }
        now.set(-5 + 10_000_000_000L);
        assertTrue(log.warn("boom"));
        assertEquals(List.of("boom", "boom (1000 similar errors not logged in the last 10 s)"), lines);
    }

    private final class Recorder implements System.Logger {
        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(format);
        }
    }
}

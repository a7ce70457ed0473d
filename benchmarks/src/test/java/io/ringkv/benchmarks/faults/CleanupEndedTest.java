package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the harness takes the cleanup it asked a node for as ended, from the node's INFO cleanup. */
class CleanupEndedTest {
    @Test
    void aCleanupEndsWhenOneMoreCompletedAndNoneRuns() {
        assertFalse(LocalCluster.cleanupEnded(Map.of("cleanups_completed", "2", "cleanup_running", "1"), 2));
        assertTrue(LocalCluster.cleanupEnded(Map.of("cleanups_completed", "3", "cleanup_running", "0"), 2));
    }

    @Test
    void oneThatWasRunningBeforeItWasAskedForAndCompletedSinceIsNotTheOneAskedFor() {
        // the earlier cleanup completed (3 > 2), and the one asked for runs on
        assertFalse(LocalCluster.cleanupEnded(Map.of("cleanups_completed", "3", "cleanup_running", "1"), 2));
    }

    @Test
    void aNodeThatDoesNotAnswerHasNotEnded() {
        assertFalse(LocalCluster.cleanupEnded(Map.of(), 0));
    }
}

package io.ringkv.benchmarks.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HarnessOptionsTest {
    @Test
    void peerSecurityIsNoneByDefaultAndKeptInTheReplayCommand() {
        HarnessOptions plain = HarnessOptions.parse(new String[] {"--short", "--seed", "3"});
        assertEquals("none", plain.peerSecurity());
        assertFalse(plain.replayCommand().contains("--peer-security"), plain.replayCommand());
        HarnessOptions encrypted = HarnessOptions.parse(new String[] {"--short", "--seed", "3", "--peer-security",
            "encrypted"});
        assertEquals("encrypted", encrypted.peerSecurity());
        assertTrue(encrypted.replayCommand().endsWith("--peer-security encrypted"), encrypted.replayCommand());
        assertEquals(encrypted, HarnessOptions.parse(encrypted.replayCommand().replace(
            "benchmarks/scripts/fault-harness.sh ", "").split(" ")));
    }

    @Test
    void expireRacesAreOffByDefaultAndKeptInTheReplayCommand() {
        assertFalse(HarnessOptions.parse(new String[] {"--short", "--seed", "3"}).expireRaces());
        HarnessOptions racing = HarnessOptions.parse(new String[] {"--short", "--seed", "3", "--expire-races"});
        assertTrue(racing.expireRaces());
        assertEquals(racing, HarnessOptions.parse(racing.replayCommand().replace(
            "benchmarks/scripts/fault-harness.sh ", "").split(" ")));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> HarnessOptions.parse(new String[] {"--expire-races", "--consistency", "ONE"}));
        assertTrue(refused.getMessage().contains("QUORUM or ALL"), refused.getMessage());
    }

    @Test
    void anUnknownPeerSecurityIsRefusedByName() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> HarnessOptions.parse(new String[] {"--peer-security", "tls"}));
        assertTrue(refused.getMessage().contains("--peer-security must be one of [none, key, encrypted], was tls"),
            refused.getMessage());
    }
}

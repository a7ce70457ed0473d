package io.ringkv.node.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.KvException;
import org.junit.jupiter.api.Test;

/** A node beyond loopback needs users, or the operator's explicit override. */
class ProtectedModeTest {
    @Test
    void aLoopbackNodeNeedsNoUsers() {
        assertDoesNotThrow(() -> ProtectedMode.check("127.0.0.1", false, false));
        assertDoesNotThrow(() -> ProtectedMode.check("::1", false, false));
        assertDoesNotThrow(() -> ProtectedMode.check("localhost", false, false));
    }

    @Test
    void aNodeOnEveryInterfaceWithoutUsersIsRefusedNamingTheOptions() {
        KvException refused = assertThrows(KvException.class, () -> ProtectedMode.check("0.0.0.0", false, false));
        assertTrue(refused.getMessage().contains("--users-file") && refused.getMessage().contains(
            "--allow-unauthenticated") && refused.getMessage().contains("0.0.0.0"), refused.getMessage());
    }

    @Test
    void usersOrTheOverrideLetItStart() {
        assertDoesNotThrow(() -> ProtectedMode.check("0.0.0.0", true, false));
        assertDoesNotThrow(() -> ProtectedMode.check("0.0.0.0", false, true));
    }
}

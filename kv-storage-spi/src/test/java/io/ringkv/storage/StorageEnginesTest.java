package io.ringkv.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageEnginesTest {

    @Test
    void theMemoryEngineIsFoundByName() {
        assertEquals("memory", StorageEngines.provider("memory").name());
        assertTrue(StorageEngines.available().containsKey("memory"));
    }

    @Test
    void anUnknownEngineNameIsAnErrorListingTheEnginesFound() {
        KvException error = assertThrows(KvException.class, () -> StorageEngines.provider("nosuch"));
        assertEquals(ErrorCode.UNKNOWN_PLUGIN, error.code());
        assertTrue(error.getMessage().contains("'nosuch'") && error.getMessage().contains("memory"),
            error.getMessage());
    }

    @Test
    void theMemoryEngineRejectsOptionsItDoesNotKnow() {
        EngineConfig config = EngineConfig.of(Path.of("unused"), "s").withOptions(Map.of("cache", "1g"));
        KvException error = assertThrows(KvException.class, () -> StorageEngines.open("memory", config));
        assertEquals(ErrorCode.INVALID_CONFIGURATION, error.code());
    }

    @Test
    void storeNamesThatCouldEscapeTheDataDirectoryAreRejected() {
        for (String bad : new String[] {"", "../x", "a/b", ".hidden"}) {
            assertThrows(KvException.class, () -> EngineConfig.of(Path.of("d"), bad), bad);
        }
    }
}

package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
    @TempDir
    Path root;

    @Test
    void creatingAStoreDirectoryForcesEveryNewLevelIntoItsParent() throws IOException {
        Path store = root.resolve("data").resolve("node").resolve("store");
        // each level created is forced into its parent, the outermost first: a level left out would be a name a
        // power loss could take, and the store with it
        assertEquals(List.of(root.resolve("data"), root.resolve("data/node"), store),
            List.copyOf(Directories.create(store)));
        assertTrue(Files.isDirectory(store));
        assertEquals(List.of(), List.copyOf(Directories.create(store)), "nothing is created twice");
        Path sibling = root.resolve("data/node/hints");
        assertEquals(List.of(sibling), List.copyOf(Directories.create(sibling)), "only the missing level");
    }
}

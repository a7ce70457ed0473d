package io.ringkv.storage.lsm.internal;

import java.nio.file.Path;

/** How SSTable files are named: {@code sst-<generation>.db}, written as {@code .tmp}, set aside as {@code .corrupt}. */
final class TableFiles {
    private static final String PREFIX = "sst-";
    private static final String SUFFIX = ".db";

    private TableFiles() {
    }

    static Path path(Path directory, long generation) {
        return directory.resolve(PREFIX + String.format("%016d", generation) + SUFFIX);
    }

    /** @return the generation a table or leftover file is named after, or -1 */
    static long generation(String name) {
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        int end = name.indexOf(SUFFIX);
        try {
            return end < 0 ? -1 : Long.parseLong(name.substring(PREFIX.length(), end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean isTable(String name) {
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX) && generation(name) >= 0;
    }

    static boolean isTemporary(String name) {
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX + ".tmp");
    }

    static Path quarantined(Path table) {
        return table.resolveSibling(table.getFileName() + ".corrupt");
    }
}

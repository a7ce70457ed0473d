package io.ringkv.node.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation file: overwritten in place, slot by slot, and a torn slot falls back to the other. */
class GenerationFileTest {
    @TempDir
    Path directory;

    @Test
    void theFileKeepsItsSizeAndTheNewestGenerationWins() throws IOException {
        assertEquals(0, GenerationFile.read(directory), "no file: no generation");
        for (long generation = 100; generation < 105; generation++) {
            GenerationFile.write(directory, generation);
            assertEquals(generation, GenerationFile.read(directory));
            assertEquals(GenerationFile.SIZE, Files.size(directory.resolve(GenerationFile.FILE)));
        }
    }

    @Test
    void aSlotTornByACrashFallsBackToThePreviousGeneration() throws IOException {
        GenerationFile.write(directory, 100);
        GenerationFile.write(directory, 101);
        // 101 went to the second slot; a crash that tore it leaves 100
        try (FileChannel channel = FileChannel.open(directory.resolve(GenerationFile.FILE),
            StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {7, 7, 7}), 512 + 6);
        }
        assertEquals(100, GenerationFile.read(directory));
        GenerationFile.write(directory, 102);
        assertEquals(102, GenerationFile.read(directory));
    }

    @Test
    void aFileWithNoValidSlotStopsTheStartSayingWhatToDo() throws IOException {
        Files.write(directory.resolve(GenerationFile.FILE), new byte[GenerationFile.SIZE]);
        KvException damaged = assertThrows(KvException.class, () -> GenerationFile.read(directory));
        assertEquals(ErrorCode.STORAGE_FAILURE, damaged.code());
        assertEquals(true, damaged.getMessage().contains("Remove it"), damaged.getMessage());
    }
}

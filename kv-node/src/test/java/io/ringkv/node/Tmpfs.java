package io.ringkv.node;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a test's directory: a real file system that fills up. Mounting needs root; where it is
 * not permitted the test is skipped by an assumption that says so.
 */
final class Tmpfs implements AutoCloseable {
    private final Path directory;

    private Tmpfs(Path directory) {
        this.directory = directory;
    }

    /** Mounts a tmpfs of {@code bytes} on {@code directory}, or skips the test when this machine does not allow it. */
    static Tmpfs mount(Path directory, long bytes) throws IOException, InterruptedException {
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", directory.toString());
        assumeTrue(mounted, "mounting a tmpfs needs root (or CAP_SYS_ADMIN); the lsm module tests a full disk"
            + " through an injected free-space probe instead");
        return new Tmpfs(directory);
    }

    /** Grows or shrinks the file system to {@code bytes}, as if space was freed or used elsewhere. */
    void resize(long bytes) throws IOException, InterruptedException {
        if (!run("mount", "-o", "remount,size=" + bytes, directory.toString())) {
            throw new IOException("could not resize the tmpfs on " + directory);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!run("umount", "-l", directory.toString())) {
            throw new IOException("could not unmount the tmpfs on " + directory);
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }
}

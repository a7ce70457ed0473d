package io.ringkv.storage.lsm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test's child program (a {@code main} of this package) in a JVM under {@code -Xint}: HotSpot reports a
 * fault under a mapping as an {@link InternalError} reliably only in the interpreter (in compiled code it may abort
 * the process while decoding the faulting instruction, which is why the README says a disk error under {@code mmap}
 * reads can end the node). What the tests assert is the engine's part once the error is raised.
 */
final class InterpretedChild {
    private InterpretedChild() {
    }

    /**
     * @param directory the child's argument, and where its output is kept
     * @return what the child printed, once it exited with 0 within {@code timeoutSeconds}
     */
    static String run(Class<?> main, Path directory, int timeoutSeconds) throws Exception {
        Path output = directory.resolve(main.getSimpleName() + ".log");
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona", "-Xint", "-Xmx64m", "-Xshare:auto",
            "--module-path", System.getProperty("jdk.module.path"),
            "--patch-module", "io.ringkv.storage.lsm=" + System.getProperty("lsm.test.classes"),
            "-m", "io.ringkv.storage.lsm/" + main.getName(), directory.toString())
            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            child.waitFor();
            throw new AssertionError(main.getSimpleName() + " did not finish in " + timeoutSeconds + " s:\n"
                + Files.readString(output));
        }
        String printed = Files.readString(output);
        assertEquals(0, child.exitValue(), printed);
        return printed;
    }
}

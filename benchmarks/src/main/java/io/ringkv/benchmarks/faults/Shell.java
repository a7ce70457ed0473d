package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system commands the harness needs (ip, iptables, mount, kill), failing loudly when one fails. */
final class Shell {
    private Shell() {
    }

    /** Runs {@code command}; @throws IllegalStateException with its output when it exits non-zero */
    static String run(String... command) {
        Result result = attempt(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed (exit " + result.exitCode()
                + "): " + result.output().strip());
        }
        return result.output();
    }

    /** Runs {@code command} and returns its exit code and output, whatever they are. */
    static Result attempt(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, output + " (timed out)");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, "cannot run " + command[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while running " + command[0]));
        }
    }

    /** @return true when {@code program} is on the PATH */
    static boolean has(String program) {
        return attempt("sh", "-c", "command -v " + program).exitCode() == 0;
    }

    /** @param exitCode the exit code, -1 when it could not run  @param output stdout and stderr */
    record Result(int exitCode, String output) {
    }
}

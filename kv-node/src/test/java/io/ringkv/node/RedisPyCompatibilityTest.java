package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * redis-py, the Python client, against a real node as its users use it: the default handshake, binary keys and
 * values, MSET/MGET, a pipeline, errors raised as errors, RESP3, and a cluster-mode client refused clearly. The
 * client is installed into a virtual environment under {@code target/} from the machine's package index.
 */
class RedisPyCompatibilityTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path VENV = Path.of("target", "redis-py-venv");

    @TempDir
    Path workDirectory;

    @Test
    @Timeout(300)
    void redisPyWorksAsItsUsersUseIt() throws Exception {
        Path python = virtualEnvironmentWithRedisPy();
        Path script = workDirectory.resolve("redis_py_client.py");
        try (InputStream in = RedisPyCompatibilityTest.class.getResourceAsStream("redis_py_client.py")) {
            Files.write(script, in.readAllBytes());
        }
        try (NodeProcess node = NodeProcess.start(workDirectory, "node", "--id", "py", "--listen",
                "127.0.0.1:" + NodeProcess.freeUdpPort(), "--client-port", "0", "--data-dir", "py")) {
            Matcher port = Pattern.compile("clients on [^ ]+:(\\d+)").matcher(node.await("clients on", WAIT));
            assertTrue(port.find());
            NodeProcess.awaitServing(Integer.parseInt(port.group(1)), WAIT);
            Result result = run(List.of(python.toString(), script.toString(), port.group(1)), Duration.ofSeconds(120));
            assertEquals(0, result.exit(), result.output());
            assertTrue(result.output().contains("redis-py compatible:"), result.output());
        }
    }

    /** @return the venv's python, with redis-py installed (made once per build directory) */
    private static Path virtualEnvironmentWithRedisPy() throws Exception {
        Path python = VENV.resolve("bin/python").toAbsolutePath();
        if (Files.isExecutable(python) && run(List.of(python.toString(), "-c", "import redis"),
                Duration.ofSeconds(30)).exit() == 0) {
            return python;
        }
        Result venv = run(List.of("python3", "-m", "venv", VENV.toString()), Duration.ofSeconds(120));
        assumeTrue(venv.exit() == 0 || System.getenv("CI") != null, "no python3 with venv here: " + venv.output());
        assertEquals(0, venv.exit(), "python3 -m venv: " + venv.output());
        List<String> install = new ArrayList<>(List.of(VENV.resolve("bin/pip").toString(), "install", "-q",
            "--disable-pip-version-check"));
        // the machine's own package index, when it has one (PyPI itself may be out of reach)
        if (Files.isDirectory(Path.of("/opt/pypi/simple"))) {
            install.addAll(List.of("--index-url", "file:///opt/pypi/simple"));
        }
        install.add("redis");
        Result pip = run(install, Duration.ofSeconds(240));
        assertEquals(0, pip.exit(), "pip install redis: " + pip.output());
        return python;
    }

    private static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        // output to a file: a hung process cannot block the test in a read, and the wait below is bounded
        Path output = Files.createTempFile("redis-py", ".log");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                return new Result(-1, e.getMessage());
            }
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + timeout + ": " + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private record Result(int exit, String output) {
    }
}

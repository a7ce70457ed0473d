package io.ringkv.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@code ringkv} process started from the test's own module path. Its output goes to a file (a pipe loses
 * its last lines when the process dies while being read); tests wait for lines with a deadline and kill the
 * process with SIGKILL.
 */
final class NodeProcess implements AutoCloseable {
    private static final AtomicInteger STARTED = new AtomicInteger();

    private final Process process;
    private final Path output;
    /** The media driver directory a {@code ringkv node} process uses; null for other commands. */
    private final List<Path> aeronDirectories;
    private final List<String> seen = new ArrayList<>();
    private long consumed;
    private int lineIndex;

    private NodeProcess(Process process, Path output, List<Path> aeronDirectories) {
        this.process = process;
        this.output = output;
        this.aeronDirectories = aeronDirectories;
    }

    /**
     * @return the shared-memory directories the media drivers of the nodes started with {@code args} use (as
     *     TransportConfig names them): one for {@code node}, one per possible node of {@code cluster} (ids node1-9,
     *     peer ports base + i), none for other commands or without /dev/shm. A node killed with SIGKILL cannot
     *     delete its own, so the test does (tens of MB each, and a suite starts hundreds)
     */
    private static List<Path> aeronDirectories(List<String> args) {
        if (args.isEmpty() || !java.nio.file.Files.isDirectory(Path.of("/dev/shm"))) {
            return List.of();
        }
        String id = "node1";
        String listen = "127.0.0.1:7400";
        int basePort = 7400;
        for (int i = 1; i + 1 < args.size(); i++) {
            switch (args.get(i)) {
                case "--id" -> id = args.get(i + 1);
                case "--listen" -> listen = args.get(i + 1);
                case "--base-port" -> basePort = Integer.parseInt(args.get(i + 1));
                default -> { }
            }
        }
        return switch (args.getFirst()) {
            case "node" -> List.of(Path.of("/dev/shm", "ringkv-" + id + "-"
                + listen.substring(listen.lastIndexOf(':') + 1)));
            case "cluster" -> {
                List<Path> directories = new ArrayList<>();
                for (int node = 1; node <= 9; node++) {
                    directories.add(Path.of("/dev/shm", "ringkv-node" + node + "-" + (basePort + node)));
                }
                yield directories;
            }
            default -> List.of();
        };
    }

    private void deleteAeronDirectories() {
        if (process.isAlive()) {
            return;
        }
        for (Path directory : aeronDirectories) {
            try (var files = java.nio.file.Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // gone already (the node deleted it on a clean stop), or never made
            }
        }
    }

    /** Starts {@code ringkv <args>} in {@code workingDirectory} on the test's own module path. */
    static NodeProcess start(Path workingDirectory, String... args) {
        return startWithModulePath(workingDirectory, System.getProperty("jdk.module.path"), args);
    }

    /** Starts {@code ringkv <args>} in {@code workingDirectory} with {@code input} as its standard input, then closed. */
    static NodeProcess startWithInput(Path workingDirectory, String input, String... args) {
        NodeProcess started = start(workingDirectory, args);
        try (java.io.OutputStream in = started.process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return started;
    }

    /** Starts {@code ringkv <args>} in {@code workingDirectory} on {@code modulePath}. */
    static NodeProcess startWithModulePath(Path workingDirectory, String modulePath, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=org.agrona");
        command.add("-Xmx128m");
        command.add("--module-path");
        command.add(modulePath);
        command.add("-m");
        command.add("io.ringkv.node/io.ringkv.node.Main");
        command.addAll(withHttpPort(List.of(args)));
        Path output = workingDirectory.resolve("process-" + STARTED.incrementAndGet() + ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
            // Short-lived nodes on a 2-core machine: the client compiler only and one GC thread cost a third less
            // CPU than the JVM's defaults and take a quarter off the suite's wall time. The environment reaches the
            // nodes a `ringkv cluster` starts too. Nodes with the defaults run in the distribution's tests (from the
            // linked runtime) and in the fault harness.
            // (a collector the environment already chose is kept: two would stop the JVM from starting)
            builder.environment().merge("JDK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                (inherited, ours) -> inherited + " " + (inherited.matches(".*-XX:\\+Use\\w+GC.*")
                    ? "-XX:TieredStopAtLevel=1" : ours));
            Process process = builder.start();
            return new NodeProcess(process, output, aeronDirectories(List.of(args)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return {@code args}, with HTTP on a free port for a {@code node} and none for a {@code cluster} when they do
     *     not choose: the default (client port + 2000) may be taken on a machine running many tests
     */
    private static List<String> withHttpPort(List<String> args) {
        List<String> all = new ArrayList<>(args);
        if (!args.isEmpty() && args.getFirst().equals("node") && !args.contains("--http-port")) {
            all.addAll(List.of("--http-port", "0"));
        } else if (!args.isEmpty() && args.getFirst().equals("cluster") && !args.contains("--base-http-port")) {
            all.addAll(List.of("--base-http-port", "-1"));
        }
        return all;
    }

    /** @return a UDP port on 127.0.0.1 that was free a moment ago */
    static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return a port P such that UDP ports P+1..P+count and TCP ports P+1+offset..P+count+offset on 127.0.0.1 were
     *     free a moment ago (for {@code ringkv cluster}, which numbers its nodes' ports from a base)
     */
    static int freeBase(int count, int tcpOffset) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = freeUdpPort() - 1;
            if (base + count + tcpOffset > 65_000 || base < 1024) {
                continue;
            }
            boolean free = true;
            for (int i = 1; i <= count && free; i++) {
                free = isFree(base + i, base + i + tcpOffset);
            }
            if (free) {
                return base;
            }
        }
        throw new AssertionError("no run of free ports found");
    }

    private static boolean isFree(int udpPort, int tcpPort) {
        try (DatagramSocket udp = new DatagramSocket(udpPort, InetAddress.getLoopbackAddress());
             ServerSocket tcp = new ServerSocket(tcpPort, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return a TCP port on 127.0.0.1 that was free a moment ago */
    /**
     * Waits until the node at {@code clientPort} no longer answers LOADING: it joined its ring (a new node) or heard
     * from a peer (a restarted one). Its start-up line comes before that, so a test that writes at once may race it.
     */
    static void awaitServing(int clientPort, Duration wait) throws InterruptedException {
        awaitServing(clientPort, wait, null, null);
    }

    /** Waits as {@link #awaitServing(int, Duration)} does, logged in as {@code user} (when not null). */
    static void awaitServing(int clientPort, Duration wait, String user, String password)
        throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        String info = "";
        while (System.nanoTime() < deadline) {
            try (redis.clients.jedis.Jedis client = new redis.clients.jedis.Jedis("127.0.0.1", clientPort)) {
                if (user != null) {
                    client.auth(user, password);
                }
                info = client.info("cluster");
                if (info.contains("loading:0\r\n")) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the node on port " + clientPort + " never stopped loading:\n" + info);
    }

    /**
     * @return {@code count} TCP ports on 127.0.0.1, all different, that were free a moment ago: asked one at a time,
     *     the system may hand out a port again once the socket that held it closed, and two nodes given one client
     *     port fail to start ("Address already in use")
     */
    static int[] distinctTcpPorts(int count) {
        java.util.Set<Integer> taken = new java.util.LinkedHashSet<>();
        while (taken.size() < count) {
            taken.add(freeTcpPort());
        }
        return taken.stream().mapToInt(Integer::intValue).toArray();
    }

    static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the complete lines written since the last call. */
    private void readNewLines() throws IOException {
        byte[] all = Files.readAllBytes(output);
        int end = all.length;
        while (end > consumed && all[end - 1] != '\n') {
            end--;
        }
        if (end > consumed) {
            String text = new String(all, (int) consumed, (int) (end - consumed), StandardCharsets.UTF_8);
            seen.addAll(List.of(text.split("\n")));
            consumed = end;
        }
    }

    /**
     * Waits for a line, after the last one matched, containing {@code text}.
     *
     * @throws AssertionError with every line seen when the deadline passes
     */
    String await(String text, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            readNewLines();
            while (lineIndex < seen.size()) {
                String line = seen.get(lineIndex++);
                if (line.contains(text)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no line containing '" + text + "' within " + timeout + "; output was:\n"
                    + String.join("\n", seen));
            }
            Thread.sleep(20);
        }
    }

    /** @return everything the process printed so far */
    String output() throws IOException {
        return Files.readString(output);
    }

    /**
     * Waits until, after the last line matched, lines containing each of {@code texts} have appeared, in any
     * order; the next wait starts after the last of them.
     *
     * @throws AssertionError with every line seen when the deadline passes
     */
    void awaitAll(Collection<String> texts, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            readNewLines();
            Set<String> missing = new HashSet<>(texts);
            int last = lineIndex;
            for (int i = lineIndex; i < seen.size() && !missing.isEmpty(); i++) {
                String line = seen.get(i);
                if (missing.removeIf(line::contains)) {
                    last = i + 1;
                }
            }
            if (missing.isEmpty()) {
                lineIndex = last;
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no lines containing " + missing + " within " + timeout + "; output was:\n"
                    + String.join("\n", seen));
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the process to exit by itself. @return its exit code, or -1 when it is still running */
    int exitCode(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /**
     * Freezes the process with SIGSTOP, as a long GC pause, a stalled VM or a frozen container would; does nothing
     * once the process has exited.
     */
    void pause() throws InterruptedException, IOException {
        signal("STOP");
    }

    /** Lets a paused process run again (SIGCONT); does nothing once the process has exited. */
    void resume() throws InterruptedException, IOException {
        signal("CONT");
    }

    private void signal(String name) throws InterruptedException, IOException {
        if (!process.isAlive()) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Kills the process and every process it started ({@code ringkv cluster}'s nodes) with SIGKILL and waits. */
    void kill() throws InterruptedException {
        List<ProcessHandle> started = process.descendants().toList();
        started.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle node : started) {
            try {
                node.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // still going after SIGKILL: the files it maps are unlinked below and freed when it dies
            }
        }
        deleteAeronDirectories();
    }

    /**
     * Asks the process to stop (SIGTERM). A node that stops so deletes its own media driver directory, but one that
     * {@code ringkv cluster} stopped while it was still starting (the autoscaler had just added it) may not have: the
     * test deletes what is left once the process has exited.
     *
     * @return its exit code, or -1 when it had to be killed
     */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        deleteAeronDirectories();
        return process.exitValue();
    }

    /**
     * Asks the process to stop (SIGTERM) and waits, deleting nothing it leaves.
     *
     * @return its exit code, or -1 when it had to be killed
     */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(45, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}

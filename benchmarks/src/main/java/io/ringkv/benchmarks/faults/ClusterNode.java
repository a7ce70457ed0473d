package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code ringkv node} process in its own network namespace, and the faults that act on a process: kill
 * -9 and restart, SIGSTOP/SIGCONT, a wall clock moved by libfaketime (monotonic time untouched), a data directory
 * on a small tmpfs that can be filled.
 */
final class ClusterNode {
    static final int PEER_PORT = 7400;
    static final int CLIENT_PORT = 7379;
    static final String FAKETIME_LIBRARY = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private final int index;
    private final List<String> command;
    private final Path directory;
    private final Path disk;
    private final boolean clockSkew;
    private Process process;
    private boolean paused;
    private int starts;
    /** how long the node's log was when its process last started: what that process wrote comes after */
    private volatile long logBytesAtStart;

    /**
     * @param index 1-based
     * @param command the java command line of the node, without the namespace wrapper
     * @param directory where its data, disk and logs live
     * @param tmpfsBytes size of a tmpfs mounted as its disk, 0 for none
     * @param clockSkew start it under libfaketime with a skew that can be changed while it runs
     */
    ClusterNode(int index, List<String> command, Path directory, long tmpfsBytes, boolean clockSkew) {
        this.index = index;
        this.command = command;
        this.directory = directory;
        this.disk = directory.resolve("disk");
        this.clockSkew = clockSkew;
        try {
            Files.createDirectories(disk);
            if (tmpfsBytes > 0) {
                Shell.run("mount", "-t", "tmpfs", "-o", "size=" + tmpfsBytes, "tmpfs", disk.toString());
            }
            Files.createDirectories(dataDirectory());
            skew(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int index() {
        return index;
    }

    String name() {
        return "node" + index;
    }

    /** @return where the node keeps its data (on the tmpfs when there is one) */
    Path dataDirectory() {
        return disk.resolve("data");
    }

    /** Starts the process, its output appended to {@code node<i>.log}. */
    void start() {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", NodeNetwork.namespace(index)));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve(name() + ".log").toFile()));
        if (clockSkew) {
            Map<String, String> environment = builder.environment();
            environment.put("LD_PRELOAD", FAKETIME_LIBRARY);
            environment.put("FAKETIME_TIMESTAMP_FILE", directory.resolve("faketime").toString());
            environment.put("FAKETIME_CACHE_DURATION", "1");
            environment.put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
            // libfaketime's "forced monotonic fix" turns the JVM's timed waits (condition variables on the
            // monotonic clock) into busy loops: an idle node burned ~2 cores under it, which starved the harness
            environment.put("FAKETIME_FORCE_MONOTONIC_FIX", "0");
        }
        forgetClockFiles();
        try {
            Path log = directory.resolve(name() + ".log");
            logBytesAtStart = Files.exists(log) ? Files.size(log) : 0;
            process = builder.start();
            paused = false;
            starts++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name(), e);
        }
    }

    /** Kills the process with SIGKILL (resuming it first if paused) and waits for it to go. */
    void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (paused) {
            signal("CONT");
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paused = false;
        forgetClockFiles();
    }

    /**
     * Deletes what libfaketime left in {@code /dev/shm} for processes that no longer exist (a run killed before it
     * could, or runs before this cleanup): a run that died is cleaned up by the next, as its network is.
     */
    static void forgetOrphanedClockFiles() {
        java.util.regex.Pattern name =
            java.util.regex.Pattern.compile("(?:faketime_shm_|sem\\.faketime_sem_)(\\d+)");
        try (java.util.stream.Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                java.util.regex.Matcher matcher = name.matcher(file.getFileName().toString());
                if (matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a best effort: what is left is small
        }
    }

    /**
     * libfaketime keeps a shared memory segment and a semaphore in {@code /dev/shm}, named by the pid of the process
     * that created them: here {@code ip netns exec}, preloaded too, which then execs java under the same pid. Only
     * their creator removes them, at its exit, and {@code ip} never exits: deletes those of a node process that has
     * ended (each run left a dozen behind). A process that outlived the wait for its end leaves them to the next
     * run's {@link #forgetOrphanedClockFiles()}.
     */
    private void forgetClockFiles() {
        if (!clockSkew || process == null || process.isAlive()) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of("/dev/shm/faketime_shm_" + process.pid()));
            Files.deleteIfExists(Path.of("/dev/shm/sem.faketime_sem_" + process.pid()));
        } catch (IOException e) {
            // what is left is small, and the next run's pids differ
        }
    }

    /** SIGSTOP: the process stops where it is, sockets open, as in a long GC pause or a frozen VM. */
    void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) {
        if (process != null && process.isAlive()) {
            Shell.run("kill", "-" + name, Long.toString(process.pid()));
        }
    }

    /** Moves the node's wall clock {@code seconds} away from this machine's (libfaketime rereads it each second). */
    void skew(long seconds) {
        try {
            Path file = directory.resolve("faketime");
            Path next = directory.resolve("faketime.next");
            Files.writeString(next, (seconds >= 0 ? "+" : "") + seconds + "s\n");
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fills the node's disk with a ballast file until the file system refuses more. @return bytes written */
    long fillDisk() {
        long written = 0;
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel ballast = FileChannel.open(disk.resolve("ballast"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (written < (1L << 34)) {
                chunk.clear();
                written += ballast.write(chunk);
            }
        } catch (IOException e) {
            // ENOSPC: the disk is full, which is the point
        }
        return written;
    }

    /** Removes the ballast. */
    void freeDisk() {
        try {
            Files.deleteIfExists(disk.resolve("ballast"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return true while the process runs (paused counts as running) */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** @return the exit code of a process that ended, or -1 */
    int exitCode() {
        return process != null && !process.isAlive() ? process.exitValue() : -1;
    }

    /** @return how many times the process was started */
    int starts() {
        return starts;
    }

    /** @return the client port's address */
    String host() {
        return NodeNetwork.address(index);
    }

    /** @return the last {@code lines} lines of the node's log */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(directory.resolve(name() + ".log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * @return the first line the process started last wrote to the node's log that contains {@code text}, or null
     *     when none did
     */
    String logLineOfThisRun(String text) {
        try {
            byte[] log = Files.readAllBytes(directory.resolve(name() + ".log"));
            int from = (int) Math.min(logBytesAtStart, log.length);
            return new String(log, from, log.length - from, java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains(text)).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** After the node left: kills what may be left of it and wipes its data (its log stays). */
    void wipe() {
        kill();
        Shell.attempt("umount", disk.toString());
        Shell.attempt("rm", "-rf", dataDirectory().toString());
    }

    /**
     * Stops the process for good, unmounts its disk and deletes its media driver's folder (a node killed with
     * SIGKILL cannot; named as the node names it: {@code ringkv-<id>-<peer port>}).
     */
    void destroy() {
        kill();
        Shell.attempt("umount", disk.toString());
        Shell.attempt("rm", "-rf", "/dev/shm/ringkv-" + name() + "-" + PEER_PORT);
    }
}

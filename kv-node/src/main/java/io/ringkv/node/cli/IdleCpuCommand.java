package io.ringkv.node.cli;

import io.ringkv.api.NodeId;
import io.ringkv.api.Node;
import io.ringkv.node.ClusterSettings;
import io.ringkv.node.GossipSettings;
import io.ringkv.node.NodeComponent;
import io.ringkv.node.NodeConfig;
import io.ringkv.node.RingkvNode;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.node.transport.PeerAddress;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * {@code ringkv idle-cpu}: starts an idle node with each idle strategy in turn and reports the CPU time the
 * process used while it sat idle, as a percentage of one core.
 */
@CommandLine.Command(name = "idle-cpu",
    description = {"Measure an idle node's CPU use for each idle strategy.",
        "For each idle strategy: starts a node with no peers, lets it settle for 2 s, then measures the process's"
            + " CPU time over --seconds and prints one JSON line with the percentage of one core."})
final class IdleCpuCommand implements Command {
    private static final Duration WARM_UP = Duration.ofSeconds(2);

    @CommandLine.Option(names = "--seconds", paramLabel = "S", defaultValue = "30",
        description = "measuring window per strategy, 1-3600")
    int seconds;

    @CommandLine.Option(names = "--idle", paramLabel = "P", split = ",",
        description = "adaptive, backoff, sleeping, busy-spin (default: all four)")
    List<String> idle;

    @CommandLine.Option(names = "--port", paramLabel = "N", defaultValue = "7490",
        description = "UDP port the measured node listens on, 1024-65535")
    int port;

    @Inject
    IdleCpuCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        Bounds.check("--seconds", seconds, 1, 3600);
        List<String> all = Arrays.stream(IdlePreset.values()).map(IdlePreset::optionName).toList();
        List<String> presets = Bounds.oneOf("--idle", idle == null ? all : idle, Set.copyOf(all));
        Bounds.check("--port", port, 1024, 65_535);
        Path data = temporaryDirectory();
        for (String name : presets) {
            IdlePreset preset = IdlePreset.parse(name);
            err.printf("measuring %s for %d s ...%n", name, seconds);
            double percent = measure(preset, seconds, port, data);
            out.printf(Locale.ROOT, "{\"idle\":\"%s\",\"seconds\":%d,\"cpu_percent_of_one_core\":%.2f}%n",
                name, seconds, percent);
            out.flush();
        }
        return Launcher.OK;
    }

    private static double measure(IdlePreset preset, int seconds, int port, Path data) {
        NodeConfig config = new NodeConfig(NodeId.of("idle-" + preset.optionName()),
            new PeerAddress("127.0.0.1", port), List.of(), data.resolve(preset.optionName()), preset, 0,
            Node.DEFAULT_ZONE, Node.DEFAULT_RACK, GossipSettings.DEFAULT, ClusterSettings.DEFAULT, Map.of())
            // with the HTTP endpoint, as `ringkv node` runs by default
            .withHttpPort(0);
        try (RingkvNode node = NodeComponent.of(config).node()) {
            node.start(line -> { });
            sleep(WARM_UP);
            long cpuBefore = processCpuNanos();
            long wallBefore = System.nanoTime();
            sleep(Duration.ofSeconds(seconds));
            long cpu = processCpuNanos() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            return 100.0 * cpu / wall;
        }
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow(
            () -> new IllegalStateException("this platform does not report process CPU time")).toNanos();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("ringkv-idle-cpu");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

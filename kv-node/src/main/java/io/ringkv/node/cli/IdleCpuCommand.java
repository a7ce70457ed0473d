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

/**
 * {@code ringkv idle-cpu}: starts an idle node with each idle strategy in turn and reports the CPU time the
 * process used while it sat idle, as a percentage of one core.
 */
final class IdleCpuCommand implements Command {
    private static final Duration WARM_UP = Duration.ofSeconds(2);

    @Inject
    IdleCpuCommand() {
    }

    @Override
    public String summary() {
        return "measure an idle node's CPU use for each idle strategy";
    }

    @Override
    public String usage() {
        return """
            usage: ringkv idle-cpu [options]

            For each idle strategy: starts a node with no peers, lets it settle for 2 s, then measures the process's
            CPU time over --seconds and prints one JSON line with the percentage of one core.

            options:
              --seconds S           measuring window per strategy, 1-3600 (default 30)
              --idle P[,P...]       adaptive, backoff, sleeping, busy-spin (default: all four)
              --port N              UDP port the measured node listens on, 1024-65535 (default 7490)
            """;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of("seconds", "idle", "port"));
        int seconds = options.integer("seconds", 30, 1, 3600);
        List<String> all = Arrays.stream(IdlePreset.values()).map(IdlePreset::optionName).toList();
        List<String> presets = options.words("idle", all, Set.copyOf(all));
        int port = options.integer("port", 7490, 1024, 65_535);
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
            Node.DEFAULT_ZONE, Node.DEFAULT_RACK, GossipSettings.DEFAULT, ClusterSettings.DEFAULT, Map.of());
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

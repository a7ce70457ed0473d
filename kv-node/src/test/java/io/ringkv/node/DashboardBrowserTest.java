package io.ringkv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The dashboard in a real browser (headless Chromium) against three real node processes: the page renders every node
 * NORMAL and ALIVE, and a node killed with SIGKILL turns DOWN on the others' pages. Skipped where Chromium is not
 * installed, unless the CI environment variable is set (then it fails). Leaves a screenshot in
 * {@code target/dashboard.png}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The longest one browser run may take before it is killed. */
    private static final Duration BROWSER_WAIT = Duration.ofSeconds(60);
    private static final Pattern ROW = Pattern.compile("<tr ([^>]*data-node=\"[^\"]*\"[^>]*)>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster(3);
    private final int[] httpPorts = new int[3];
    private Path chromium;

    @BeforeEach
    void findChromium() {
        chromium = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
            .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (chromium == null && System.getenv("CI") != null) {
            fail("Chromium is not installed, and CI needs the dashboard's browser test: apt-get install chromium");
        }
        assumeTrue(chromium != null, "Chromium is not installed: the dashboard's browser test is skipped");
    }

    @Test
    void thePageShowsEveryNodeAndAKilledNodeTurnsDown() throws Exception {
        for (int i = 0; i < 3; i++) {
            httpPorts[i] = cluster.httpPorts[i];
            cluster.start(i, "--http-port", Integer.toString(httpPorts[i]));
        }
        for (int i = 0; i < 3; i++) {
            cluster.nodes[i].await("the dashboard at http://127.0.0.1:" + httpPorts[i] + "/dashboard/", WAIT);
            ClusterProcessesTest.awaitRing(cluster.clientPorts[i], 3);
        }
        Map<String, Map<String, String>> rows = awaitRows(0, seen -> seen.size() == 3
            && seen.values().stream().allMatch(row -> row.get("data-state").equals("NORMAL")
                && row.get("data-liveness").equals("ALIVE")));
        assertEquals(List.of("n0", "n1", "n2"), rows.keySet().stream().sorted().toList());
        // with traffic meanwhile, so that the picture shows rates and latencies
        Thread traffic = Thread.ofPlatform().daemon().name("dashboard-traffic").start(this::someTraffic);
        try {
            screenshot(0, Path.of("target", "dashboard.png"));
        } finally {
            traffic.interrupt();
            traffic.join(TimeUnit.SECONDS.toMillis(30));
        }

        cluster.nodes[2].kill();
        Map<String, Map<String, String>> afterKill = awaitRows(1, seen -> seen.containsKey("n2")
            && seen.get("n2").get("data-liveness").equals("DOWN"));
        assertEquals("ALIVE", afterKill.get("n0").get("data-liveness"));
        assertEquals("ALIVE", afterKill.get("n1").get("data-liveness"));
        screenshot(1, Path.of("target", "dashboard-down.png"));
    }

    /** Writes and reads on every node, at most a minute, until interrupted. */
    private void someTraffic() {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int k = 0; System.nanoTime() < end && !Thread.currentThread().isInterrupted() && k < 20_000; k++) {
            int node = k % 3;
            try (Jedis client = new Jedis("127.0.0.1", cluster.clientPorts[node])) {
                for (int i = 0; i < 50; i++) {
                    client.set("dash:" + k + ":" + i, "v" + i);
                    client.get("dash:" + k + ":" + i);
                }
            }
        }
    }

    /**
     * Loads node {@code node}'s dashboard in the browser until its node table satisfies {@code done}.
     *
     * @return the table's rows by node id, each with its attributes
     */
    private Map<String, Map<String, String>> awaitRows(int node, java.util.function.Predicate<Map<String,
        Map<String, String>>> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Map<String, String>> rows = Map.of();
        String dom = "";
        while (System.nanoTime() < deadline) {
            dom = browse(node, "--dump-dom");
            rows = rows(dom);
            if (done.test(rows)) {
                return rows;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("node " + node + "'s dashboard never showed what was awaited; rows " + rows
            + ", page:\n" + dom);
    }

    /** @return the node table's rows of a dumped page, by node id, each with its attributes */
    static Map<String, Map<String, String>> rows(String dom) {
        Map<String, Map<String, String>> rows = new HashMap<>();
        Matcher row = ROW.matcher(dom);
        while (row.find()) {
            Map<String, String> attributes = new HashMap<>();
            Matcher attribute = ATTRIBUTE.matcher(row.group(1));
            while (attribute.find()) {
                attributes.put(attribute.group(1), attribute.group(2));
            }
            rows.put(attributes.get("data-node"), attributes);
        }
        return rows;
    }

    private void screenshot(int node, Path file) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        // a longer visit, so that the charts have some history
        browse(node, "--virtual-time-budget=20000", "--screenshot=" + file.toAbsolutePath(), "--window-size=1280,900",
            "--hide-scrollbars");
        assertTrue(Files.size(file) > 1000, "no screenshot in " + file);
    }

    /**
     * Runs headless Chromium on node {@code node}'s dashboard with a fresh profile, for a few seconds of the page's
     * time unless {@code action} names a budget (it polls the node meanwhile), killed if it outlasts {@link #BROWSER_WAIT}.
     *
     * @return what it printed on its standard output (the page with {@code --dump-dom})
     */
    private String browse(int node, String... action) throws Exception {
        Path profile = Files.createTempDirectory(cluster.workDirectory(), "chromium-profile");
        Path output = cluster.workDirectory().resolve("chromium.out");
        Path errors = cluster.workDirectory().resolve("chromium.err");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
            "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(List.of(action));
        if (command.stream().noneMatch(argument -> argument.startsWith("--virtual-time-budget="))) {
            command.add("--virtual-time-budget=6000");
        }
        command.add("http://127.0.0.1:" + httpPorts[node] + "/dashboard/");
        Process browser = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(errors.toFile())
            .start();
        try {
            if (!browser.waitFor(BROWSER_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Chromium did not finish within " + BROWSER_WAIT + ":\n"
                    + Files.readString(errors));
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly();
            browser.waitFor(10, TimeUnit.SECONDS);
            deleteRecursively(profile);
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // the work directory is deleted after the test anyway
        }
    }
}

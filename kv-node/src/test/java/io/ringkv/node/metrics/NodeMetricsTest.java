package io.ringkv.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeMetricsTest {

    @Test
    void registryCountersAreExposedWithPrometheusNamesAndTimesInSeconds() throws IOException {
        CounterRegistry registry = new CounterRegistry();
        registry.register("total_commands_processed", "commands answered", CounterKind.COUNTER, "stats").add(3);
        registry.register("hints_pending", "hints held", CounterKind.GAUGE, "hints").setRelease(7);
        registry.register("repair_last_pass_millis", "last pass", CounterKind.GAUGE, "repair").setRelease(1500);
        Counter late = registry.register("hints_stored", "hints written", CounterKind.COUNTER, "hints");
        registry.register("broken_count_down", "a counter gone wrong", CounterKind.COUNTER, "stats").setRelease(-1);
        NodeMetrics metrics = new NodeMetrics(registry);
        late.add(2);

        String text = scrape(metrics);

        assertTrue(text.contains("# TYPE ringkv_commands_processed_total counter\n"), text);
        assertTrue(text.contains("\nringkv_commands_processed_total 3.0\n"), text);
        assertTrue(text.contains("\nringkv_hints_pending 7.0\n"), text);
        assertTrue(text.contains("\nringkv_repair_last_pass_seconds 1.5\n"), text);
        assertTrue(text.contains("\nringkv_hints_stored_total 2.0\n"), "a counter registered later is read too");
        assertFalse(text.contains("broken_count_down"), "a negative counter is left out rather than failing the scrape");
        assertTrue(text.contains("# HELP ringkv_hints_pending hints held (INFO hints: hints_pending)\n"), text);
        assertTrue(text.contains("\njvm_memory_used_bytes{area=\"heap\"}"), "JVM metrics are there: " + text);
    }

    @Test
    void requestsAreAHistogramByCommandAndConsistencyAndErrorsACounterByCodeWord() throws IOException {
        NodeMetrics metrics = new NodeMetrics(new CounterRegistry());
        RequestMetrics requests = metrics.requests();
        requests.record("get", "N=3,R=2,W=2", TimeUnit.MICROSECONDS.toNanos(300), null);
        requests.record("get", "N=3,R=2,W=2", TimeUnit.MILLISECONDS.toNanos(20), "TIMEOUT the replicas did not answer");
        requests.record("set", "N=3,R=1,W=1", TimeUnit.MICROSECONDS.toNanos(40), null);

        String text = scrape(metrics);

        String get = "command=\"get\",consistency=\"N=3,R=2,W=2\"";
        assertTrue(text.contains("ringkv_request_duration_seconds_bucket{" + get + ",le=\"5.0E-4\"} 1\n"), text);
        assertTrue(text.contains("ringkv_request_duration_seconds_bucket{" + get + ",le=\"0.025\"} 2\n"), text);
        assertTrue(text.contains("ringkv_request_duration_seconds_count{" + get + "} 2\n"), text);
        assertTrue(text.contains("ringkv_request_duration_seconds_bucket{command=\"set\",consistency=\"N=3,R=1,W=1\","
            + "le=\"5.0E-5\"} 1\n"), text);
        assertTrue(text.contains("ringkv_request_errors_total{" + get + ",error=\"TIMEOUT\"} 1.0\n"), text);
        assertFalse(text.contains("command=\"set\",consistency=\"N=3,R=1,W=1\",error="), "set never failed");
    }

    @Test
    void anErrorsCodeWordIsItsLeadingUpperCaseWordOrErr() {
        assertEquals("UNAVAILABLE", RequestMetrics.codeWord("UNAVAILABLE 1 of 2 replicas answered"));
        assertEquals("LOADING", RequestMetrics.codeWord("LOADING"));
        assertEquals("ERR", RequestMetrics.codeWord("ERR wrong number of arguments"));
        assertEquals("ERR", RequestMetrics.codeWord("Protocol error"), "not an upper-case word");
        assertEquals("ERR", RequestMetrics.codeWord("ABCDEFGHIJKLMNOPQRSTUVWXYZ too long"), "bounded label values");
        assertEquals("ERR", RequestMetrics.codeWord(""));
    }

    @Test
    void namesDropRedisTotalPrefixesAndTakeBaseUnits() {
        assertEquals("ringkv_commands_processed", CounterRegistryCollector.prometheusName("total_commands_processed",
            CounterKind.COUNTER));
        assertEquals("ringkv_total_bytes", CounterRegistryCollector.prometheusName("total_bytes", CounterKind.GAUGE),
            "only a counter's prefix goes: a gauge keeps its name");
        assertEquals("ringkv_cleanup_last_seconds", CounterRegistryCollector.prometheusName("cleanup_last_millis",
            CounterKind.GAUGE));
        assertEquals("ringkv_wait_seconds", CounterRegistryCollector.prometheusName("wait_us", CounterKind.COUNTER));
        assertEquals("ringkv_hints_stored", CounterRegistryCollector.prometheusName("hints_stored", CounterKind.COUNTER));
    }

    /** Prometheus' own linter on the whole exposition; CI installs it (Debian's prometheus package). */
    @Test
    void promtoolAcceptsTheExposition(@TempDir Path directory) throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/promtool"));
        assumeTrue(installed || System.getenv("CI") != null, "promtool is not installed (apt-get install prometheus)");
        CounterRegistry registry = new CounterRegistry();
        registry.register("total_commands_processed", "commands answered", CounterKind.COUNTER, "stats").add(3);
        registry.register("repair_last_pass_millis", "last pass", CounterKind.GAUGE, "repair").setRelease(1500);
        NodeMetrics metrics = new NodeMetrics(registry);
        metrics.requests().record("get", "N=3,R=2,W=2", 1000, "UNAVAILABLE no");
        Path file = directory.resolve("metrics.txt");
        Files.writeString(file, scrape(metrics));

        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
            .redirectErrorStream(true).start();
        String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, promtool.exitValue(), "promtool check metrics: " + report);
    }

    static String scrape(NodeMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}

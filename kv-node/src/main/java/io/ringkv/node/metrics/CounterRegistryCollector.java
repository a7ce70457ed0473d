package io.ringkv.node.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.ringkv.api.Counter;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every counter of the node's {@link CounterRegistry}, as Prometheus metrics: no list of names of its own, so a
 * counter a subsystem registers appears on {@code /metrics} by itself.
 *
 * <p>Names follow Prometheus' conventions: the {@value #PREFIX} prefix; a counter's leading {@code total_} (the
 * Redis-style names of {@code INFO}) dropped, since the exposition adds {@code _total}; a time in milliseconds,
 * microseconds or nanoseconds ({@code _ms}, {@code _millis}, {@code _us}, {@code _micros}, {@code _ns},
 * {@code _nanos}) exposed in seconds, the base unit. {@link #prometheusName} is the whole mapping.
 */
public final class CounterRegistryCollector implements MultiCollector {
    /** Every metric name of the node begins with this. */
    public static final String PREFIX = "ringkv_";
    private static final String[][] TIME_UNITS = {
        {"_ms", "1e3"}, {"_millis", "1e3"}, {"_us", "1e6"}, {"_micros", "1e6"}, {"_ns", "1e9"}, {"_nanos", "1e9"},
    };

    private final CounterRegistry registry;

    /** @param registry the node's counters, read at each scrape (safe from any thread) */
    public CounterRegistryCollector(CounterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> snapshots = new ArrayList<>();
        for (Counter counter : registry.counters()) {
            String name = prometheusName(counter.name(), counter.kind());
            double value = counter.get() / divisor(counter.name());
            String help = counter.help() + " (INFO " + counter.section() + ": " + counter.name() + ")";
            if (counter.kind() == CounterKind.COUNTER && value < 0) {
                // Prometheus refuses a negative counter, and one refusal would fail the whole scrape: leave it out
                continue;
            }
            if (counter.kind() == CounterKind.COUNTER) {
                snapshots.add(CounterSnapshot.builder().name(name).help(help)
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build());
            } else {
                snapshots.add(GaugeSnapshot.builder().name(name).help(help)
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build());
            }
        }
        return new MetricSnapshots(snapshots);
    }

    /**
     * @return the Prometheus name of the registry counter {@code name}, without the {@code _total} the exposition
     *     adds to counters: e.g. {@code total_commands_processed} → {@code ringkv_commands_processed},
     *     {@code repair_last_pass_millis} → {@code ringkv_repair_last_pass_seconds}
     */
    public static String prometheusName(String name, CounterKind kind) {
        String base = name;
        if (kind == CounterKind.COUNTER && base.startsWith("total_")) {
            base = base.substring("total_".length());
        }
        if (kind == CounterKind.COUNTER && base.endsWith("_total")) {
            base = base.substring(0, base.length() - "_total".length());
        }
        for (String[] unit : TIME_UNITS) {
            if (base.endsWith(unit[0])) {
                base = base.substring(0, base.length() - unit[0].length()) + "_seconds";
                break;
            }
        }
        return PREFIX + base.toLowerCase(Locale.ROOT);
    }

    /** @return what a registry value is divided by to be in its Prometheus unit (1 for all but times) */
    static double divisor(String name) {
        for (String[] unit : TIME_UNITS) {
            if (name.endsWith(unit[0])) {
                return Double.parseDouble(unit[1]);
            }
        }
        return 1;
    }
}

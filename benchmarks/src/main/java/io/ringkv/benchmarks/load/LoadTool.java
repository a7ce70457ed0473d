package io.ringkv.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import io.ringkv.node.security.TrustedCertificates;
import javax.net.ssl.SSLSocketFactory;
import org.HdrHistogram.Recorder;

/**
 * The end-to-end load tool: N connections to any RESP server on this machine, each sending batches of
 * {@code --pipeline} GET/SET commands over a key space, for a fixed duration; over TLS 1.3 with
 * {@code --tls-cacert cert.pem} (the server's certificate or its authority, PEM). Reports throughput and latency
 * percentiles (HdrHistogram) as one JSON line. Closed loop: a slow server is measured at the rate it sustains,
 * and latency is from a batch's send to each reply.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ringkv.benchmarks.load.LoadTool \
 *     --port 7379 --connections 50 --value-bytes 1024 --keys 100000 --read-ratio 0.5 --seconds 30
 * </pre>
 */
public final class LoadTool {
    private LoadTool() {
    }

    /** Options, each with its default. */
    record Settings(String label, String host, int port, int connections, int valueBytes, int keys,
                    double readRatio, int pipeline, int seconds, int warmupSeconds, long seed, String tlsCacert) {
        Settings {
            if (!host.equals("localhost") && !host.startsWith("127.")) {
                throw new IllegalArgumentException("the load tool only targets this machine (127.0.0.0/8), not " + host);
            }
            require(port >= 1 && port <= 65_535, "--port must be 1-65535");
            require(connections >= 1 && connections <= 1000, "--connections must be 1-1000");
            require(valueBytes >= 0 && valueBytes <= 1 << 20, "--value-bytes must be 0-1048576");
            require(keys >= 1, "--keys must be at least 1");
            require(readRatio >= 0 && readRatio <= 1, "--read-ratio must be 0-1");
            require(pipeline >= 1 && pipeline <= 1000, "--pipeline must be 1-1000");
            require(seconds >= 1 && seconds <= 3600, "--seconds must be 1-3600");
            require(warmupSeconds >= 0 && warmupSeconds <= 600, "--warmup-seconds must be 0-600");
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("load: " + e.getMessage());
            System.err.println("options: --label --host --port --connections --value-bytes --keys --read-ratio"
                + " --pipeline --seconds --warmup-seconds --seed --tls-cacert");
            System.exit(2);
            return;
        }
        System.out.println(run(settings, System.err));
    }

    static Settings parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        Settings settings = new Settings(options.getOrDefault("label", "server"),
            options.getOrDefault("host", "127.0.0.1"),
            Integer.parseInt(options.getOrDefault("port", "6379")),
            Integer.parseInt(options.getOrDefault("connections", "50")),
            Integer.parseInt(options.getOrDefault("value-bytes", "1024")),
            Integer.parseInt(options.getOrDefault("keys", "100000")),
            Double.parseDouble(options.getOrDefault("read-ratio", "0.5")),
            Integer.parseInt(options.getOrDefault("pipeline", "1")),
            Integer.parseInt(options.getOrDefault("seconds", "30")),
            Integer.parseInt(options.getOrDefault("warmup-seconds", "5")),
            Long.parseLong(options.getOrDefault("seed", "1")),
            options.get("tls-cacert"));
        for (String name : options.keySet()) {
            if (!List.of("label", "host", "port", "connections", "value-bytes", "keys", "read-ratio", "pipeline",
                "seconds", "warmup-seconds", "seed", "tls-cacert").contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return settings;
    }

    /** Runs the load and returns the JSON line of results. */
    static String run(Settings settings, PrintStream progress) throws InterruptedException, IOException {
        SSLSocketFactory tls = settings.tlsCacert() == null ? null
            : TrustedCertificates.fromPem(java.nio.file.Path.of(settings.tlsCacert())).getSocketFactory();
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong misses = new AtomicLong();
        AtomicLong ops = new AtomicLong();
        long warmupEnd = System.nanoTime() + settings.warmupSeconds() * 1_000_000_000L;
        long end = warmupEnd + settings.seconds() * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < settings.connections(); c++) {
            long seed = settings.seed() * 1_000_003 + c;
            Thread worker = Thread.ofPlatform().name("load-" + c).start(() -> {
                try {
                    drive(settings, tls, new SplittableRandom(seed), warmupEnd, end, recorder, ops, errors,
                        misses);
                } catch (IOException e) {
                    errors.incrementAndGet();
                    progress.println("load: connection failed: " + e.getMessage());
                }
            });
            workers.add(worker);
        }
        progress.printf("load: %s, %d connections, %d s warm-up, %d s measured ...%n", settings.label(),
            settings.connections(), settings.warmupSeconds(), settings.seconds());
        for (Thread worker : workers) {
            worker.join();
        }
        Histogram histogram = recorder.getIntervalHistogram();
        double seconds = settings.seconds();
        return String.format(Locale.ROOT,
            "{\"label\":\"%s\",\"connections\":%d,\"pipeline\":%d,\"value_bytes\":%d,\"read_ratio\":%.2f,"
                + "\"seconds\":%d,\"ops\":%d,\"ops_per_second\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
                + "\"p999_us\":%.1f,\"max_us\":%.1f,\"errors\":%d,\"read_misses\":%d}",
            settings.label(), settings.connections(), settings.pipeline(), settings.valueBytes(),
            settings.readRatio(), settings.seconds(), ops.get(), ops.get() / seconds,
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3, errors.get(), misses.get());
    }

    private static void drive(Settings settings, SSLSocketFactory tls, SplittableRandom random, long warmupEnd,
                              long end,
                              Recorder recorder, AtomicLong ops, AtomicLong errors, AtomicLong misses)
        throws IOException {
        byte[] get = "GET".getBytes(StandardCharsets.US_ASCII);
        byte[] set = "SET".getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[settings.valueBytes()];
        random.nextBytes(value);
        try (RespConnection connection = new RespConnection(settings.host(), settings.port(), 10_000, tls)) {
            while (true) {
                long start = System.nanoTime();
                if (start >= end) {
                    return;
                }
                for (int i = 0; i < settings.pipeline(); i++) {
                    byte[] key = ("key:" + random.nextInt(settings.keys())).getBytes(StandardCharsets.US_ASCII);
                    if (random.nextDouble() < settings.readRatio()) {
                        connection.writeCommand(get, key);
                    } else {
                        connection.writeCommand(set, key, value);
                    }
                }
                connection.flush();
                boolean measured = start >= warmupEnd;
                for (int i = 0; i < settings.pipeline(); i++) {
                    RespConnection.Reply reply = connection.readReply();
                    if (!measured) {
                        continue;
                    }
                    recorder.recordValue(Math.max(1, System.nanoTime() - start));
                    ops.incrementAndGet();
                    if (reply == RespConnection.Reply.ERROR) {
                        errors.incrementAndGet();
                    } else if (reply == RespConnection.Reply.NULL) {
                        misses.incrementAndGet();
                    }
                }
            }
        }
    }
}

package io.ringkv.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Node processes for a process test ({@code @RegisterExtension}): {@code n0}, {@code n1}, ... on free ports of
 * 127.0.0.1, seeded by the first two, gossiping every 200 ms, each with its data directory {@code n<i>} in a work
 * directory of the test's own. After each test every process started is killed and its output printed, and the work
 * directory is deleted.
 */
final class ProcessCluster implements BeforeEachCallback, AfterEachCallback {
    final NodeProcess[] nodes;
    final int[] peerPorts;
    final int[] clientPorts;
    final int[] httpPorts;
    private final List<NodeProcess> processes = new ArrayList<>();
    private Path workDirectory;

    ProcessCluster(int size) {
        this.nodes = new NodeProcess[size];
        this.peerPorts = new int[size];
        this.clientPorts = new int[size];
        this.httpPorts = new int[size];
        // every TCP port picked now, distinct: a node given "--http-port 0" could be handed, by the system, the
        // client port of a node started later, which then served HTTP to a test's Redis client ("Unknown reply: H")
        int[] tcp = NodeProcess.distinctTcpPorts(2 * size);
        for (int i = 0; i < size; i++) {
            peerPorts[i] = NodeProcess.freeUdpPort();
            clientPorts[i] = tcp[2 * i];
            httpPorts[i] = tcp[2 * i + 1];
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        workDirectory = Files.createTempDirectory("ringkv-processes");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (NodeProcess process : processes) {
            process.close();
            System.out.println("---- node output ----\n" + process.output());
        }
        processes.clear();
        try (Stream<Path> files = Files.walk(workDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (UncheckedIOException e) {
            // a file a dying process still wrote: the system's temporary directory keeps it
        }
    }

    /** @return the directory node data directories and tool output go to */
    Path workDirectory() {
        return workDirectory;
    }

    /** Starts nodes {@code n0} to {@code n<count-1>} and waits until each sees a ring of them all. */
    void startFormed(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            start(i);
        }
        for (int i = 0; i < count; i++) {
            ClusterProcessesTest.awaitRing(clientPorts[i], count);
        }
    }

    /** Sets {@code key:<k>} to {@code value-<k>} for k below {@code keys}, through node {@code i}. */
    void setKeys(int i, int keys) {
        try (redis.clients.jedis.Jedis client = new redis.clients.jedis.Jedis("127.0.0.1", clientPorts[i])) {
            for (int k = 0; k < keys; k++) {
                org.junit.jupiter.api.Assertions.assertEquals("OK", client.set("key:" + k, "value-" + k));
            }
        }
    }

    /**
     * Reads {@code expected}'s keys back through {@code client}, pipelined {@code batch} reads at a time: tens of
     * thousands of keys in a few seconds, where one GET at a time took tens of seconds.
     *
     * @param onError told of each key whose read answered an error reply, and the error (it may read the key again,
     *     list it, or throw)
     * @return the keys that came back with another value or none, in {@code expected}'s order
     */
    static List<String> readBack(Jedis client, Map<String, String> expected, int batch,
                                 BiConsumer<String, JedisDataException> onError) {
        List<String> keys = new ArrayList<>(expected.keySet());
        List<String> missing = new ArrayList<>();
        for (int first = 0; first < keys.size(); first += batch) {
            List<String> chunk = keys.subList(first, Math.min(keys.size(), first + batch));
            Pipeline pipeline = client.pipelined();
            List<Response<String>> values = new ArrayList<>();
            chunk.forEach(key -> values.add(pipeline.get(key)));
            pipeline.sync();
            for (int i = 0; i < chunk.size(); i++) {
                String key = chunk.get(i);
                try {
                    if (!expected.get(key).equals(values.get(i).get())) {
                        missing.add(key);
                    }
                } catch (JedisDataException e) {
                    onError.accept(key, e);
                }
            }
        }
        return missing;
    }

    /** Starts node {@code i} (again, after a kill) with its data directory {@code n<i>} and {@code extra} options. */
    NodeProcess start(int i, String... extra) {
        return startAs(i, "n" + i, extra);
    }

    /** Starts a node as {@link #start} does with the ports and data directory of {@code i}, but the id {@code id}. */
    NodeProcess startAs(int i, String id, String... extra) {
        String seeds = "127.0.0.1:" + peerPorts[0] + ",127.0.0.1:" + peerPorts[1];
        List<String> arguments = new ArrayList<>(List.of("node", "--id", id,
            "--listen", "127.0.0.1:" + peerPorts[i], "--seeds", seeds,
            "--client-port", Integer.toString(clientPorts[i]), "--gossip-interval-ms", "200",
            "--data-dir", workDirectory.resolve("n" + i).toString()));
        if (!List.of(extra).contains("--http-port")) {
            arguments.addAll(List.of("--http-port", Integer.toString(httpPorts[i])));
        }
        arguments.addAll(List.of(extra));
        nodes[i] = NodeProcess.start(workDirectory, arguments.toArray(String[]::new));
        processes.add(nodes[i]);
        return nodes[i];
    }
}

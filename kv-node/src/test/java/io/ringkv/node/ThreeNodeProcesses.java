package io.ringkv.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Three real nodes on loopback (n0 and n1 the seeds, gossip every 200 ms, data in {@code n<i>} under the test's
 * directory), started one by one; closing stops them and prints each one's output into the surefire report, so a
 * failure in CI can be read afterwards. Gossip every 200 ms: SUSPECT after 3 s and DOWN after 6 s of silence. On two
 * shared cores, with three node JVMs and the test busy, windows under a second made live peers look dead and
 * requests fail with UNAVAILABLE.
 */
final class ThreeNodeProcesses implements AutoCloseable {
    final int[] peerPorts = {NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort(), NodeProcess.freeUdpPort()};
    // client and HTTP ports all different: asked one at a time, n2 was once handed n0's client port
    private final int[] tcpPorts = NodeProcess.distinctTcpPorts(6);
    final int[] clientPorts = {tcpPorts[0], tcpPorts[1], tcpPorts[2]};
    private final Path workDirectory;
    private final List<NodeProcess> processes = new ArrayList<>();

    ThreeNodeProcesses(Path workDirectory) {
        this.workDirectory = workDirectory;
    }

    /** Starts node {@code i} (0–2). */
    NodeProcess start(int i) {
        String seeds = "127.0.0.1:" + peerPorts[0] + ",127.0.0.1:" + peerPorts[1];
        NodeProcess process = NodeProcess.start(workDirectory, "node", "--id", "n" + i,
            "--listen", "127.0.0.1:" + peerPorts[i], "--seeds", seeds,
            "--client-port", Integer.toString(clientPorts[i]), "--http-port", Integer.toString(tcpPorts[3 + i]),
            "--gossip-interval-ms", "200", "--data-dir", workDirectory.resolve("n" + i).toString());
        processes.add(process);
        return process;
    }

    @Override
    public void close() throws Exception {
        for (NodeProcess process : processes) {
            process.close();
            System.out.println("---- node output ----\n" + process.output());
        }
    }
}

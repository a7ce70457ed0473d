package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LauncherTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        Launcher launcher = DaggerLauncherComponent.create().launcher();
        return launcher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statusAndRemovenodeSayClearlyWhenNoNodeAnswers() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        assertEquals(1, run("status", "--port", Integer.toString(port)));
        assertTrue(err().contains("cannot reach a ringkv node at 127.0.0.1:" + port), err());
        assertEquals(1, run("removenode", "node9", "--port", Integer.toString(port)));
        assertTrue(err().contains("ringkv removenode: cannot reach a ringkv node"), err());
        assertEquals(2, run("removenode", "--port", Integer.toString(port)), "the id is required");
        assertTrue(err().contains("removenode needs the id of the node to remove"), err());
    }

    @Test
    void statusRendersTheClusterSectionOfAnyNode() throws Exception {
        String info = "# Cluster\r\ncluster_name:ringkv\r\ncluster_self:n1\r\ncluster_known_nodes:2\r\n"
            + "cluster_ring_nodes:2\r\ncluster_failure_detector:fixed\r\n"
            + "node0:id=n1,state=NORMAL,address=127.0.0.1:7401,client=127.0.0.1:7379,zone=zone1,rack=rack1,load=1.50MiB,"
            + "keys=12,disk=full,owns=1.0000,tokens=16,generation=1795618265,liveness=ALIVE\r\n"
            + "node1:id=n2,state=DOWN,address=127.0.0.1:7402,client=127.0.0.1:7380,zone=zone1,rack=rack2,load=?,"
            + "keys=?,owns=bogus,tokens=16,generation=1795618266,liveness=DOWN\r\n";
        String hints = "# Hints\r\nhints_pending:7\r\nhints_pending_bytes:9000\r\nhints_delivered:3\r\n"
            + "hints_pending_n2:7\r\n";
        String repair = "# Repair\r\nrepair_pass_running:1\r\nrepair_pass_sessions:96\r\n"
            + "repair_pass_sessions_done:12\r\nrepair_pass_keys:5\r\n";
        try (java.net.ServerSocket server = new java.net.ServerSocket(0)) {
            Thread answer = Thread.ofVirtual().start(() -> {
                for (int request = 0; request < 3; request++) {
                    try (java.net.Socket socket = server.accept()) {
                        byte[] asked = new byte[256];
                        int read = socket.getInputStream().read(asked);
                        String question = new String(asked, 0, Math.max(0, read), StandardCharsets.UTF_8);
                        String text = question.contains("hints") ? hints : question.contains("repair") ? repair : info;
                        byte[] body = text.getBytes(StandardCharsets.UTF_8);
                        socket.getOutputStream().write(("$" + body.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                        socket.getOutputStream().write(body);
                        socket.getOutputStream().write("\r\n".getBytes(StandardCharsets.UTF_8));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            assertEquals(0, run("status", "--port", Integer.toString(server.getLocalPort())));
            answer.join();
        }
        List<String> lines = out().lines().toList();
        assertTrue(lines.get(0).startsWith("Cluster ringkv as seen by n1: 2 node(s) known, 2 in the ring"), out());
        assertEquals("Hints held by n1: 7 pending (9000 bytes), 3 delivered since it started", lines.get(1), out());
        assertEquals("Repair on n1: running, 12 of 96 sessions done, 5 keys exchanged so far", lines.get(2), out());
        assertTrue(lines.get(3).startsWith("STATE "), out());
        assertEquals(List.of("NORMAL", "n1", "127.0.0.1:7401", "127.0.0.1:7379", "zone1", "rack1", "1.50MiB", "12", "full",
            "100.0%",
            "16", "1795618265", "ALIVE", "0"), List.of(lines.get(4).split("\\s+")));
        assertEquals("DOWN", lines.get(5).split("\\s+")[0]);
        assertEquals("?", lines.get(5).split("\\s+")[8], "a node that announced no disk state shows it as unknown");
        assertEquals("?", lines.get(5).split("\\s+")[9], "a share that is not a number shows as unknown");
        assertEquals("7", lines.get(5).split("\\s+")[13], "hints held for n2");
    }

    @Test
    void noArgumentsPrintsTheCommandsAndIsAUsageError() {
        assertEquals(2, run());
        assertTrue(out().contains("ring simulate") && out().contains("version"), out());
    }

    @Test
    void anUnknownCommandIsAUsageErrorNamingIt() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'"), err());
    }

    @Test
    void ringSimulatePrintsOneJsonLinePerConfiguration() {
        assertEquals(0, run("ring", "simulate", "--nodes", "6,9", "--vnodes", "4", "--rf", "3",
            "--strategy", "random,balanced", "--seed", "7"));
        List<String> lines = out().lines().toList();
        assertEquals(4, lines.size(), out());
        for (String field : List.of("nodes", "vnodes", "rf", "strategy", "primary_cv", "replica_cv",
            "max_over_mean", "moved_fraction", "ideal_fraction")) {
            assertTrue(lines.getFirst().contains("\"" + field + "\":"), field + " missing in " + lines.getFirst());
        }
        assertEquals(6, number(lines.get(0), "nodes"));
        assertEquals(9, number(lines.get(1), "nodes"));
        assertTrue(lines.get(0).contains("\"strategy\":\"random\""), lines.get(0));
        assertTrue(lines.get(3).contains("\"strategy\":\"balanced\""), lines.get(3));
        assertEquals(3.0 / 10, number(lines.get(1), "ideal_fraction"), 1e-3);
    }

    @Test
    void ringSimulateRejectsBadValuesNamingTheOptionAndRange() {
        assertEquals(2, run("ring", "simulate", "--nodes", "many"));
        assertTrue(err().contains("--nodes must be a whole number from 1 to 10000, was 'many'"), err());
    }

    @Test
    void ringSimulateRejectsAnUnknownStrategyListingTheKnownOnes() {
        assertEquals(2, run("ring", "simulate", "--strategy", "roundrobin"));
        assertTrue(err().contains("--strategy must be one of balanced, random"), err());
    }

    @Test
    void ringSimulateRejectsUnknownOptionsListingTheKnownOnes() {
        assertEquals(2, run("ring", "simulate", "--tokens", "8"));
        assertTrue(err().contains("unknown option --tokens") && err().contains("--vnodes"), err());
    }

    @Test
    void helpPrintsTheCommandsOptions() {
        assertEquals(0, run("ring", "simulate", "--help"));
        assertTrue(out().contains("--strategy"), out());
    }

    @Test
    void versionNamesTheJavaRuntime() {
        assertEquals(0, run("version"));
        assertTrue(out().startsWith("ringkv ") && out().contains("Java " + Runtime.version().feature()), out());
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}

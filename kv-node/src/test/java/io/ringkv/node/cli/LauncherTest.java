package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
        assertTrue(err().contains("no node answered"), err());
        assertEquals(2, run("removenode", "--port", Integer.toString(port)), "the id is required");
        assertTrue(err().contains("ringkv removenode: Missing required parameter: 'ID'"), err());
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
        try (FakeNode node = new FakeNode(3, Map.of("cluster", info, "hints", hints, "repair", repair))) {
            assertEquals(0, run("status", "--port", Integer.toString(node.port())));
            node.awaitAnswered();
            assertEquals("ringkv status: reached node n1 at 127.0.0.1:" + node.port(), err().strip(),
                "which node answered goes to stderr");
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
    void repairFollowsItsOwnPassNotOneThatEndedAsItStarted() throws Exception {
        String cluster = "# Cluster\r\ncluster_self:n1\r\n";
        // the count is read while an earlier pass still runs; that pass ends before REPAIR arrives, so the next
        // INFO shows a higher count while ours still runs; ours then ends with a failed session
        try (FakeNode node = new FakeNode(List.of(cluster,
            "# Repair\r\nrepair_pass_running:1\r\nrepair_passes_completed:4\r\n",
            "repair started: 12 sessions",
            "# Repair\r\nrepair_pass_running:1\r\nrepair_passes_completed:5\r\nrepair_pass_sessions:12\r\n"
                + "repair_pass_sessions_done:3\r\nrepair_pass_sessions_failed:0\r\n",
            "# Repair\r\nrepair_pass_running:0\r\nrepair_passes_completed:6\r\nrepair_pass_sessions:12\r\n"
                + "repair_pass_sessions_done:12\r\nrepair_pass_sessions_failed:1\r\nrepair_pass_keys:7\r\n"))) {
            assertEquals(1, run("repair", "--port", Integer.toString(node.port())), out() + err());
            node.awaitAnswered();
        }
        assertTrue(out().contains("12 sessions, 1 failed, 0 skipped (peer down), 7 keys exchanged"), out());
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
        assertTrue(err().contains("'--nodes'") && err().contains("'many' is not an int"), err());
        err.reset();
        assertEquals(2, run("ring", "simulate", "--nodes", "4,0"));
        assertTrue(err().startsWith("ringkv ring simulate: --nodes must be from 1 to 10000, was 0\n"), err());
        assertTrue(err().contains("Usage: ringkv ring simulate"), "the command's usage follows: " + err());
    }

    @Test
    void ringSimulateRejectsAnUnknownStrategyListingTheKnownOnes() {
        assertEquals(2, run("ring", "simulate", "--strategy", "roundrobin"));
        assertTrue(err().contains("--strategy must be one of balanced, random"), err());
    }

    @Test
    void ringSimulateRejectsUnknownOptionsListingTheKnownOnes() {
        assertEquals(2, run("ring", "simulate", "--tokens", "8"));
        assertTrue(err().contains("Unknown options: '--tokens'") && err().contains("Options: --nodes, --vnodes"),
            err());
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

    @Test
    void metricsPrintsANodesMetricsPageOrTheSamplesThatMatch() throws Exception {
        String page = """
            # HELP ringkv_hints_pending hints held
            # TYPE ringkv_hints_pending gauge
            ringkv_hints_pending 7.0
            # HELP ringkv_request_duration_seconds requests
            # TYPE ringkv_request_duration_seconds histogram
            ringkv_request_duration_seconds_count{command="get",consistency="N=3,R=2,W=2"} 4
            ringkv_request_duration_seconds_count{command="set",consistency="N=3,R=2,W=2"} 2
            """;
        io.ringkv.node.http.NodeHttpServer server = io.ringkv.node.http.NodeHttpServer.start("127.0.0.1", 0, "t",
            new io.ringkv.node.http.NodeHttpServer.Routes().add("/metrics", exchange ->
                io.ringkv.node.http.NodeHttpServer.send(exchange, 200, "text/plain",
                    page.getBytes(StandardCharsets.UTF_8))));
        try {
            String port = Integer.toString(server.port());
            assertEquals(0, run("metrics", "--http-port", port));
            assertEquals(page, out());
            assertTrue(err().contains("reached the HTTP endpoint at 127.0.0.1:" + port), err());
            out.reset();
            assertEquals(0, run("metrics", "--http-port", port, "--grep", "command=\"set\""));
            assertEquals("""
                # HELP ringkv_request_duration_seconds requests
                # TYPE ringkv_request_duration_seconds histogram
                ringkv_request_duration_seconds_count{command="set",consistency="N=3,R=2,W=2"} 2
                """, out(), "the family's HELP and TYPE, then only the matching sample");
            assertEquals(2, run("metrics", "--http-port", port, "--grep", "("));
            assertTrue(err().contains("--grep is not a regular expression"), err());
        } finally {
            server.close();
        }
        int closed = server.port();
        err.reset();
        assertEquals(1, run("metrics", "--http-port", Integer.toString(closed)));
        assertTrue(err().contains("cannot reach a ringkv node's HTTP endpoint at 127.0.0.1:" + closed), err());
    }

    @Test
    void hintsListsWhatANodeHoldsPerReplicaAndItsCounters() throws Exception {
        String info = "# Cluster\r\ncluster_self:n1\r\n"
            + "node0:id=n1,state=NORMAL,liveness=ALIVE\r\nnode1:id=N-2,state=NORMAL,liveness=DOWN\r\n"
            + "node2:id=n3,state=NORMAL,liveness=ALIVE\r\n";
        String hints = "# Hints\r\nhints_pending:12\r\nhints_pending_bytes:9000\r\nhints_stored:15\r\n"
            + "hints_delivered:3\r\nhints_pending_n_2:7\r\nhints_pending_n3:0\r\nhints_pending_gone:5\r\n";
        try (FakeNode node = new FakeNode(2, Map.of("cluster", info, "hints", hints))) {
            assertEquals(0, run("hints", "--port", Integer.toString(node.port())));
            node.awaitAnswered();
            assertTrue(err().contains("ringkv hints: reached node n1 at 127.0.0.1:" + node.port()), err());
        }
        List<String> lines = out().lines().toList();
        assertEquals("Hints held by n1: 12 pending (9000 bytes), 3 delivered since it started", lines.get(0), out());
        assertEquals(List.of("FOR", "PENDING", "LIVENESS"), List.of(lines.get(1).split("\\s+")));
        assertEquals(List.of("N-2", "7", "DOWN"), List.of(lines.get(2).split("\\s+")), "a member by its own id");
        assertEquals(List.of("gone", "5", "not", "a", "member"), List.of(lines.get(3).split("\\s+")),
            "a gauge no member matches (a node that left)");
        assertTrue(out().lines().anyMatch(line -> line.matches("hints_stored\\s+15\\s+hints written .*")), out());
        assertTrue(out().lines().anyMatch(line -> line.matches("hints_dropped_cap\\s+\\?\\s+.*")),
            "a counter the node did not send shows as unknown: " + out());
    }

    @Test
    void hintsSaysClearlyWhenNoNodeAnswers() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        assertEquals(1, run("hints", "--port", Integer.toString(port)));
        assertTrue(err().startsWith("ringkv hints: cannot reach a ringkv node at 127.0.0.1:" + port), err());
        assertTrue(err().contains("no node answered"), err());
        assertEquals("", out());
    }

    @Test
    void everyFormOfHelpShowsTheCommandsUsage() {
        for (List<String> args : List.of(List.of("status", "--help"), List.of("help", "status"),
            List.of("status", "-h"))) {
            out.reset();
            assertEquals(0, run(args.toArray(String[]::new)), args.toString());
            assertTrue(out().startsWith("Usage: ringkv status [OPTIONS]"), args + ": " + out());
            assertTrue(out().contains("--port=PORT") && out().contains("Default: 7379"), args + ": " + out());
        }
        for (List<String> args : List.of(List.of("--help"), List.of("help"), List.of("-h"))) {
            out.reset();
            assertEquals(0, run(args.toArray(String[]::new)), args.toString());
            assertTrue(out().startsWith("Usage: ringkv [OPTIONS] <command>"), args + ": " + out());
        }
        out.reset();
        assertEquals(0, run("help", "ring"));
        assertTrue(out().contains("simulate"), out());
        assertEquals("", err());
    }

    @Test
    void everyCommandAndOptionHasADescriptionAndSaysItsDefault() {
        var root = DaggerLauncherComponent.create().launcher().commandLine(System.out, System.err);
        List<String> missing = new java.util.ArrayList<>();
        check(root, missing);
        assertEquals(List.of(), missing);
        assertTrue(root.getSubcommands().keySet().containsAll(List.of("node", "cluster", "status", "cleanup",
            "decommission", "removenode", "repair", "ring", "idle-cpu", "version", "hints", "completion", "help")),
            root.getSubcommands().keySet().toString());
    }

    private static void check(picocli.CommandLine command, List<String> missing) {
        var spec = command.getCommandSpec();
        if (spec.usageMessage().description().length == 0) {
            missing.add(spec.qualifiedName() + " has no description");
        }
        for (var option : spec.options()) {
            String description = String.join(" ", option.description());
            boolean saysDefault = option.usageHelp() || option.versionHelp() || option.defaultValueString() != null
                && !option.defaultValueString().equals("null") || description.contains("default");
            if (description.isBlank() || !saysDefault) {
                missing.add(spec.qualifiedName() + " " + option.longestName());
            }
        }
        command.getSubcommands().values().forEach(sub -> check(sub, missing));
    }

    @Test
    void aMistypedCommandIsAUsageErrorSuggestingTheCloseOne() {
        assertEquals(2, run("statsu"));
        assertTrue(err().startsWith("ringkv: unknown command 'statsu'\nDid you mean: status?\n"), err());
        assertEquals("", out());
        err.reset();
        assertEquals(2, run("ring", "simul"));
        assertTrue(err().contains("Did you mean: simulate?"), err());
    }

    @Test
    void aMistypedOptionIsAUsageErrorSuggestingTheCloseOnes() {
        assertEquals(2, run("status", "--prot", "7379"));
        assertTrue(err().startsWith("ringkv status: Unknown options: '--prot', '7379'\nDid you mean: --port?\n"),
            err());
        assertTrue(err().contains("Usage: ringkv status [OPTIONS]"), err());
    }

    @Test
    void optionsTakeTheirValueAfterASpaceOrAnEqualsSignOnceEach() {
        assertEquals(0, run("ring", "simulate", "--nodes=4", "--vnodes", "2", "--seed=9"));
        assertEquals(4, number(out(), "nodes"));
        assertEquals(2, run("ring", "simulate", "--nodes"));
        assertTrue(err().contains("Missing required parameter for option '--nodes'"), err());
        err.reset();
        assertEquals(2, run("ring", "simulate", "--rf", "3", "--rf", "4"));
        assertTrue(err().contains("'--rf' (R) should be specified only once"), err());
        err.reset();
        assertEquals(2, run("ring", "simulate", "nodes"));
        assertTrue(err().contains("Unmatched argument at index 2: 'nodes'"), err());
    }

    @Test
    void aFailedCommandExitsOneWithItsMessageAndNoUsage() {
        assertEquals(1, run("node", "--listen", "127.0.0.1:notaport"));
        assertEquals("ringkv node: expected host:port with a numeric port, was '127.0.0.1:notaport'", err().strip());
    }

    @Test
    void versionAndDashDashVersionPrintTheSameLine() {
        assertEquals(0, run("--version"));
        String version = out();
        out.reset();
        assertEquals(0, run("version"));
        assertEquals(version, out());
        assertTrue(version.startsWith("ringkv "), version);
    }

    @Test
    void completionPrintsABashScriptNamingEveryCommand() {
        assertEquals(0, run("completion"));
        String script = out();
        assertTrue(script.startsWith("#!/usr/bin/env bash"), script.lines().findFirst().orElse(""));
        assertTrue(script.contains("complete -F _complete_ringkv"), "registers the completion function");
        for (String word : List.of("node", "cluster", "status", "cleanup", "decommission", "removenode", "repair",
            "simulate", "idle-cpu", "version", "hints", "completion", "--base-client-port", "--client-port")) {
            assertTrue(script.contains(word), word + " missing from the completion script");
        }
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}

package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real-process fault harness, Jepsen style: starts a cluster of {@code ringkv node} processes on this machine
 * (one network namespace each), runs client workloads through every node while a seeded schedule of faults is
 * applied and healed, heals everything, waits for the cluster to settle, reads every key back and checks the
 * history. Writes a markdown report, prints a summary line and the command that replays the run, and exits 1
 * when it found an anomaly (2 for bad options, 3 when the cluster could not be set up). Needs root (namespaces,
 * iptables, tmpfs). See {@code benchmarks/scripts/fault-harness.sh}.
 */
public final class FaultHarness {
    private static final long SETTLE_MILLIS = 90_000;
    /** after the hints drained: the coordinators' catch-up of unacknowledged replicas gives up after 30 s */
    static final long QUIET_MILLIS = 10_000;
    /** the longest wait for one node's repair pass */
    private static final long REPAIR_MILLIS = 600_000;
    /** How long the nodes may hold tombstone purges after the passes (gossip spreading the leftovers' end). */
    private static final long PURGES_FREE_MILLIS = 60_000;
    /** How long one node's cleanup before the final reads may take. */
    private static final long CLEANUP_MILLIS = 120_000;
    /** how often a node is asked for a repair pass during the workload */
    private static final long REPAIR_EVERY_MILLIS = 15_000;
    /** the longest wait for every node's hints to be delivered after the quiet spell */
    private static final long HINT_DRAIN_MILLIS = 120_000;
    /**
     * how long into a node's absence its peers surely judge it DOWN: down-after, plus 2 s for the age of the last
     * heartbeat news they had when it fell silent (1 s gossip rounds) and a round of slack
     */
    static final long JUDGED_DOWN_NANOS = TimeUnit.MILLISECONDS.toNanos(LocalCluster.DOWN_AFTER_MILLIS + 2_000);

    private FaultHarness() {
    }

    public static void main(String[] args) throws Exception {
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fault-harness: " + e.getMessage() + "\n\n" + HarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(HarnessOptions options) throws InterruptedException {
        checkPrerequisites(options);
        prepareWorkDirectory(options.workDirectory());
        List<Fault> schedule = FaultSchedule.generate(options.seed(), options.faults(), options.nodes(),
            options.durationSeconds() * 1000, options.everyKindOnce());
        // a timed schedule may end with a leave past its duration (every join is undone)
        long durationMillis = options.everyKindOnce() ? FaultSchedule.durationFor(schedule)
            : Math.max(options.durationSeconds() * 1000, FaultSchedule.durationFor(schedule));
        log("seed %d: %d faults over %d s; nodes' logs in %s", options.seed(), schedule.size(),
            durationMillis / 1000, options.workDirectory());
        schedule.forEach(fault -> log("  at %5.1f s: %s", fault.startMillis() / 1000.0, fault.describe()));

        LocalCluster cluster;
        try {
            cluster = LocalCluster.create(options);
        } catch (RuntimeException e) {
            System.err.println("fault-harness: cannot set up the cluster: " + e.getMessage());
            return 3;
        }
        Thread cleanup = new Thread(cluster::close, "fault-harness-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return runOn(cluster, options, schedule, durationMillis);
        } finally {
            cluster.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static int runOn(LocalCluster cluster, HarnessOptions options, List<Fault> schedule,
                             long durationMillis) throws InterruptedException {
        cluster.startAll();
        String startProblem = cluster.awaitSettled(SETTLE_MILLIS);
        if (startProblem != null) {
            System.err.println("fault-harness: the cluster did not form:\n" + startProblem);
            cluster.nodes().forEach(n -> System.err.println(n.name() + ":\n" + n.logTail(20)));
            return 3;
        }
        log("cluster formed; running the workload");
        History history = new History();
        long runStart = System.nanoTime();
        // joins, leaves and removals move the rest of the schedule, and the workload's end with it
        AtomicLong deadline = new AtomicLong(runStart + TimeUnit.MILLISECONDS.toNanos(durationMillis));
        Nemesis nemesis = new Nemesis(cluster, schedule, runStart, deadline);
        Thread nemesisThread = Thread.ofPlatform().name("harness-nemesis").start(nemesis);
        // repair passes during the workload let nodes purge tombstones (60 s grace) while faults go on
        Thread repairer = Thread.ofPlatform().name("harness-repairs").daemon().start(() -> repairDuringRun(cluster));
        Workload workload = new Workload(options, history, cluster::clientTargets);
        workload.run(deadline);
        repairer.interrupt();
        repairer.join();
        nemesisThread.join(TimeUnit.SECONDS.toMillis(30));
        nemesisThread.interrupt();
        nemesisThread.join();
        nemesis.watch();
        nemesis.healAll();
        long[] expires = workload.racedExpires();
        log("workload done (%d operations, %.1f s; %d EXPIREs raced a DEL, %d answered); healed, waiting for the"
            + " cluster to settle", history.ops().size(), (System.nanoTime() - runStart) / 1e9, expires[0], expires[1]);
        nemesis.memberships().forEach(change -> log("%s", Report.describe(change, runStart)));

        long settleStart = System.nanoTime();
        String settleProblem = cluster.awaitSettled(SETTLE_MILLIS);
        if (settleProblem != null) {
            settleProblem += "packet filter rules in force: " + cluster.network().rules() + "\n";
        }
        long settleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStart);
        log("waiting up to %d s for every node's hints to be delivered", HINT_DRAIN_MILLIS / 1000);
        LocalCluster.HintDrain firstDrain = cluster.awaitHintsDrained(HINT_DRAIN_MILLIS);
        log("hints %s %.1f s after the settle", firstDrain.drained() ? "drained" : "NOT drained",
            firstDrain.millis() / 1000.0);
        Thread.sleep(QUIET_MILLIS);
        nemesis.watch();
        // catch-ups still running in the quiet spell may leave a hint behind: wait for those too
        LocalCluster.HintDrain drain = firstDrain.then(cluster.awaitHintsDrained(firstDrain.drained()
            ? HINT_DRAIN_MILLIS : 0));
        // anti-entropy on top: each node repairs its ranges against the others; the replicas read next are then
        // what handoff and repair together leave
        log("repairing each node (anti-entropy) before the final reads");
        List<LocalCluster.RepairPass> repairs = cluster.repairEach(REPAIR_MILLIS);
        log("tombstones after the passes: %s", cluster.tombstones());
        // the passes covered every range on a settled ring: once no node holds purges (leftovers of a late join or
        // leave cleaned up first), a cleanup on each node rewrites its tables and purges every tombstone past the
        // grace, and the reads below then check that no deleted key came back
        String purgesHeld = cluster.awaitPurgesFree(PURGES_FREE_MILLIS);
        if (purgesHeld != null) {
            log("%s: the cleanups below purge nothing there", purgesHeld);
        }
        Map<Integer, String> cleanups = cluster.cleanUpEach(CLEANUP_MILLIS);
        log("cleanups after the passes: %s", cleanups);
        String purges = (purgesHeld == null ? "" : purgesHeld + "; ") + cluster.tombstones();
        log("tombstones after the cleanups: %s", purges);
        List<Op> ops = history.ops();
        List<String> keys = ops.stream().map(Op::key).distinct().toList();
        log("reading %d keys back", keys.size());
        FinalState state = new FinalReader(cluster, SETTLE_MILLIS).read(keys);

        Checker checker = new Checker(options.replicationFactor());
        Checker.Result checked = checker.check(ops, state);
        Checker.HandoffResult handoff = checker.checkHandoff(ops, state.perNode(),
            Absence.of(nemesis.applied(), deadline.get()),
            JUDGED_DOWN_NANOS);
        List<Anomaly> anomalies = new ArrayList<>(checked.anomalies());
        anomalies.addAll(handoff.anomalies());
        for (LocalCluster.RepairPass repair : repairs) {
            if (repair.problem() != null) {
                anomalies.add(new Anomaly(Anomaly.Kind.REPAIR_FAILED, null, "node" + repair.node() + ": "
                    + repair.problem(), List.of()));
            }
        }
        if (!drain.drained()) {
            anomalies.add(new Anomaly(Anomaly.Kind.HINTS_NOT_DRAINED, null, "within " + HINT_DRAIN_MILLIS / 1000
                + " s of the settle (or of the quiet spell after it) some node still held hints; each node's INFO"
                + " hints: " + drain.perNode(),
                List.of()));
        }
        if (settleProblem != null) {
            anomalies.add(new Anomaly(Anomaly.Kind.NOT_SETTLED, null, "within " + SETTLE_MILLIS / 1000
                + " s of the heal:\n\n```\n" + settleProblem + "```", List.of()));
        }
        cleanups.forEach((node, outcome) -> {
            if (!"ok".equals(outcome)) {
                anomalies.add(new Anomaly(Anomaly.Kind.CLEANUP_FAILED, null, "node" + node + ": " + outcome,
                    List.of()));
            }
        });
        for (Nemesis.Membership change : nemesis.memberships()) {
            if (change.problem() != null) {
                anomalies.add(new Anomaly(Anomaly.Kind.MEMBERSHIP_FAILED, null, change.fault().describe() + ": "
                    + change.problem(), List.of()));
            }
        }
        for (Nemesis.Exit exit : nemesis.exits()) {
            anomalies.add(new Anomaly(Anomaly.Kind.NODE_EXITED, null, String.format("node%d exited with %d at"
                + " %.1f s; the end of its log:%n%n```%n%s%n```", exit.node(), exit.exitCode(),
                (exit.atNanos() - runStart) / 1e9, exit.logTail()), List.of()));
        }
        Checker.Result result = new Checker.Result(anomalies, checked.weakStaleReads(), checked.divergence(),
            checked.keysChecked());
        writeReport(options, Report.render(options, schedule, nemesis.applied(), ops, result, settleProblem,
            runStart, settleMillis, drain, handoff) + expireRaces(result, workload, runStart)
            + repairSection(repairs, cleanups, purges) + Report.membershipSection(nemesis.memberships(), runStart));
        System.out.println(Report.summary(options, nemesis.applied(), ops, result, drain, handoff));
        System.out.println("report: " + options.report());
        System.out.println("replay: " + options.replayCommand());
        return anomalies.isEmpty() ? 0 : 1;
    }

    /**
     * Starts a repair pass on each node in turn, one every {@link #REPAIR_EVERY_MILLIS}, until interrupted; and, as
     * an operator does after joins and leaves, a cleanup on every node that holds leftovers (records of ranges a
     * move took from it, which hold every node's tombstone purges until dropped).
     */
    private static void repairDuringRun(LocalCluster cluster) {
        int started = 0;
        int cleanups = 0;
        try {
            for (int turn = 0; ; turn++) {
                Thread.sleep(REPAIR_EVERY_MILLIS);
                List<Integer> serving = cluster.clientTargets();
                ClusterNode node = cluster.node(serving.get(turn % serving.size()));
                if (LocalCluster.startRepair(node).equals("started")) {
                    started++;
                }
                for (int index : serving) {
                    cleanups += LocalCluster.cleanUpLeftovers(cluster.node(index)) ? 1 : 0;
                }
            }
        } catch (InterruptedException e) {
            log("%d repair passes and %d cleanups started during the workload", started, cleanups);
        }
    }

    /** @return the EXPIREs that raced the DEL of a key with an anomaly, as a report section; empty when none did */
    private static String expireRaces(Checker.Result result, Workload workload, long runStart) {
        StringBuilder out = new StringBuilder();
        for (Anomaly anomaly : result.anomalies()) {
            Workload.ExpireRace race = anomaly.key() == null ? null : workload.expireRace(anomaly.key());
            if (race != null) {
                out.append(String.format("- `%s`: EXPIRE through node%d sent at %.3f s, answered at %.3f s: %s%n",
                    anomaly.key(), race.node(), (race.sentNanos() - runStart) / 1e9,
                    (race.answeredNanos() - runStart) / 1e9, race.answer()));
            }
        }
        return out.isEmpty() ? "" : "\n## EXPIREs that raced the DEL of a key with an anomaly\n\n" + out;
    }

    /** The report's section on each node's repair pass, appended after the rest. */
    static String repairSection(List<LocalCluster.RepairPass> repairs, Map<Integer, String> cleanups,
                                String tombstones) {
        StringBuilder out = new StringBuilder("\n## Repair after handoff\n\nEach node ran a repair pass (`REPAIR`:"
            + " anti-entropy of every range it replicates with each other replica) after the hints drained, before"
            + " each replica was read alone.\n\n| node | sessions | failed | skipped | keys exchanged | time |"
            + " outcome |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for (LocalCluster.RepairPass repair : repairs) {
            out.append(String.format(java.util.Locale.ROOT, "| node%d | %d | %d | %d | %d | %.1f s | %s |%n",
                repair.node(), repair.sessions(), repair.failed(), repair.skipped(), repair.keys(),
                repair.millis() / 1000.0, repair.problem() == null ? "ok" : repair.problem().replace('|', '/')));
        }
        out.append("\nThen each node ran a cleanup (`CLEANUP`: the `lsm` engine rewrites its tables into one, purging")
            .append(" the tombstones past the grace that the passes covered), before the reads: ").append(cleanups)
            .append(". Tombstones then: ").append(tombstones).append("\n");
        return out.toString();
    }

    private static void checkPrerequisites(HarnessOptions options) {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the harness needs root: network namespaces, iptables, tmpfs mounts");
        }
        if (!Files.isDirectory(options.modulePath())) {
            throw new IllegalStateException(options.modulePath() + " is missing: build the launcher first"
                + " (mvn -pl distribution -am package -DskipTests, or bin/ringkv version)");
        }
        if (options.faults().contains(FaultKind.CLOCK_SKEW) && !Files.exists(Path.of(ClusterNode.FAKETIME_LIBRARY))) {
            throw new IllegalStateException("clock-skew needs libfaketime: apt-get install -y faketime");
        }
    }

    private static void prepareWorkDirectory(Path work) {
        try {
            Files.createDirectories(work);
            try (var children = Files.list(work)) {
                for (Path child : children.toList()) {
                    Shell.attempt("umount", child.resolve("disk").toString());
                    Shell.run("rm", "-rf", child.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeReport(HarnessOptions options, String text) {
        try {
            Files.createDirectories(options.report().toAbsolutePath().getParent());
            Files.writeString(options.report(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf("fault-harness: " + format + "%n", args);
        System.out.flush();
    }
}

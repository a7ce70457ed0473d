package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies a schedule of faults to the cluster at their times, heals each after its duration, and watches for node
 * processes that exit by themselves. Runs on its own thread; {@link #healAll()} leaves the cluster whole whatever
 * happened.
 *
 * <p>Joins and leaves take as long as they take: the nemesis waits for each to end (at most
 * {@link #MEMBERSHIP_TIMEOUT_MILLIS}) and moves the rest of the schedule, and the workload's end, by the
 * difference from the slot the schedule gave it. Nothing else happens to the cluster meanwhile (one fault at a
 * time), but for the kill of a joiner mid-stream that a join may include: a supported case (it resumes).
 */
final class Nemesis implements Runnable {
    /** the longest a join or a leave may take before it counts as failed */
    static final long MEMBERSHIP_TIMEOUT_MILLIS = 180_000;
    /** how long a joiner killed mid-stream stays down */
    private static final long JOINER_DOWN_MILLIS = 3_000;

    /**
     * A join or leave as it happened.
     *
     * @param fault the scheduled join or leave
     * @param startedNanos when the joiner started, or the leaver was asked to decommission
     * @param streamingNanos when the node was first seen streaming (INFO streaming), 0 if never
     * @param endedNanos when the joiner served as NORMAL, or the leaver's process had exited; 0 if neither happened
     * @param streaming the node's {@code INFO streaming} fields last seen (a joiner's after it joined, of the
     *     process that finished the join; a leaver's just before it exited)
     * @param note what happened on the way (the kill mid-stream, the node's answer to DECOMMISSION)
     * @param problem null when it completed; otherwise why it did not
     */
    record Membership(Fault fault, long startedNanos, long streamingNanos, long endedNanos,
                      Map<String, String> streaming, String note, String problem) {
        int node() {
            return fault.nodes().getFirst();
        }
    }

    /**
     * A fault as it happened.
     *
     * @param fault the scheduled fault
     * @param startedNanos monotonic time it was applied
     * @param healedNanos monotonic time it was healed, 0 if it never was
     * @param note what applying it did or failed to do, or empty
     */
    record Applied(Fault fault, long startedNanos, long healedNanos, String note) {
    }

    /**
     * A node process that ended without the harness ending it.
     *
     * @param node 1-based
     * @param atNanos when it was noticed
     * @param exitCode its exit code
     * @param logTail the end of its log
     */
    record Exit(int node, long atNanos, int exitCode, String logTail) {
    }

    private final LocalCluster cluster;
    private final List<Fault> schedule;
    private final long startNanos;
    private final AtomicLong deadlineNanos;
    private final long scheduledDeadlineNanos;
    private final List<Applied> applied = new ArrayList<>();
    private final List<Membership> memberships = new ArrayList<>();
    private final List<Exit> exits = new ArrayList<>();
    private final boolean[] killedByUs;
    /** nodes asked to decommission: their exit is the leave's to judge, not {@link #watch()}'s */
    private final boolean[] leaving;
    /** the start count of each node when its last exit was reported, so one exit is reported once */
    private final int[] reportedAtStart;
    /** how far joins and leaves moved the rest of the schedule (either way) */
    private volatile long shiftNanos;

    /**
     * @param deadlineNanos when the workload ends; moved as joins and leaves move the schedule
     */
    Nemesis(LocalCluster cluster, List<Fault> schedule, long startNanos, AtomicLong deadlineNanos) {
        this.cluster = cluster;
        this.schedule = schedule;
        this.startNanos = startNanos;
        this.deadlineNanos = deadlineNanos;
        this.scheduledDeadlineNanos = deadlineNanos.get();
        int most = cluster.nodes().size() + 1 + (int) schedule.stream().filter(f -> f.kind() == FaultKind.JOIN)
            .count();
        this.killedByUs = new boolean[most];
        this.leaving = new boolean[most];
        this.reportedAtStart = new int[most];
    }

    @Override
    public void run() {
        try {
            for (Fault fault : schedule) {
                waitUntil(fault.startMillis());
                long started = System.nanoTime();
                if (fault.kind().changesMembership()) {
                    Membership change = fault.kind() == FaultKind.JOIN ? join(fault) : leave(fault);
                    long ended = System.nanoTime();
                    shiftNanos += ended - (startNanos + shiftNanos + TimeUnit.MILLISECONDS.toNanos(fault.endMillis()));
                    deadlineNanos.set(scheduledDeadlineNanos + shiftNanos);
                    synchronized (this) {
                        memberships.add(change);
                    }
                    record(new Applied(fault, started, ended, change.problem() == null ? change.note()
                        : change.problem()));
                    continue;
                }
                String note;
                synchronized (this) {
                    note = apply(fault);
                }
                waitUntil(fault.endMillis());
                synchronized (this) {
                    heal(fault);
                }
                record(new Applied(fault, started, System.nanoTime(), note));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            record(new Applied(schedule.getFirst(), System.nanoTime(), 0, "nemesis failed: " + e));
        }
    }

    private String apply(Fault fault) {
        List<Integer> nodes = fault.nodes();
        switch (fault.kind()) {
            case KILL -> {
                killedByUs[nodes.get(0)] = true;
                cluster.node(nodes.get(0)).kill();
            }
            case PAUSE, LONG_PAUSE -> cluster.node(nodes.get(0)).pause();
            case PARTITION -> cluster.network().isolate(nodes.get(0));
            case ONE_WAY_PARTITION -> cluster.network().cut(nodes.get(0), nodes.get(1));
            case LOSS -> cluster.members().forEach(node -> cluster.network().lose(node.index(),
                fault.amount() / 100.0));
            case CLOCK_SKEW -> cluster.node(nodes.get(0)).skew(fault.amount());
            case DISK_FULL -> {
                return "ballast of " + (cluster.node(nodes.get(0)).fillDisk() >> 20) + " MiB filled the disk";
            }
            case JOIN, LEAVE -> throw new IllegalStateException(fault.kind() + " is not applied and healed");
        }
        return "";
    }

    /**
     * A fresh node joins: started with the members as seeds, killed once it has streamed a part of its ranges when
     * the fault says so (and started again 3 s later: it picks the same tokens and resumes), then served to clients
     * once it is NORMAL.
     */
    private Membership join(Fault fault) throws InterruptedException {
        int i = fault.nodes().getFirst();
        ClusterNode node;
        synchronized (this) {
            node = cluster.addNode(i);
            node.start();
        }
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MILLISECONDS.toNanos(MEMBERSHIP_TIMEOUT_MILLIS);
        boolean killPending = fault.amount() == 1;
        long streaming = 0;
        String note = "";
        Map<String, String> fields = Map.of();
        while (System.nanoTime() < deadline) {
            if (LocalCluster.joined(node)) {
                cluster.serve(i);
                if (killPending) {
                    note = "streaming ended before the kill; ";
                }
                Map<String, String> last = LocalCluster.info(node, "streaming");
                return new Membership(fault, started, streaming, System.nanoTime(), last.isEmpty() ? fields : last,
                    note + "NORMAL; clients sent to it from then on", null);
            }
            Map<String, String> now = LocalCluster.info(node, "streaming");
            if (!now.isEmpty()) {
                fields = now;
            }
            long total = number(now, "stream_sessions");
            long done = number(now, "stream_sessions_done");
            if (streaming == 0 && total > 0) {
                streaming = System.nanoTime();
            }
            if (killPending && total > 0 && done >= Math.max(1, total / 4) && done < total) {
                killPending = false;
                synchronized (this) {
                    killedByUs[i] = true;
                    node.kill();
                }
                note = String.format("killed at %d/%d sessions (%.1f s into the join, %d keys received),"
                    + " restarted %d s later; ", done, total, (System.nanoTime() - started) / 1e9,
                    number(now, "stream_keys_received"), JOINER_DOWN_MILLIS / 1000);
                Thread.sleep(JOINER_DOWN_MILLIS);
                synchronized (this) {
                    node.start();
                    killedByUs[i] = false;
                }
            }
            Thread.sleep(250);
            watch();
        }
        return new Membership(fault, started, streaming, 0, fields, note, "node" + i + " was not NORMAL within "
            + MEMBERSHIP_TIMEOUT_MILLIS / 1000 + " s; INFO streaming " + fields);
    }

    /**
     * A member decommissions ({@code DECOMMISSION}, as {@code ringkv decommission}): clients keep sending to it
     * (their operations may fail) until its process has exited by itself, with status 0; its data is then wiped.
     */
    private Membership leave(Fault fault) throws InterruptedException {
        int i = fault.nodes().getFirst();
        ClusterNode node = cluster.node(i);
        long started = System.nanoTime();
        String answer;
        synchronized (this) {
            leaving[i] = true;
        }
        try (RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, 5_000)) {
            RespClient.Reply reply = client.call("DECOMMISSION");
            if (reply instanceof RespClient.Error(String message)) {
                synchronized (this) {
                    leaving[i] = false;
                }
                return new Membership(fault, started, 0, 0, Map.of(), "", "DECOMMISSION refused: " + message);
            }
            answer = reply instanceof RespClient.Text(String text) ? text : String.valueOf(reply);
        } catch (IOException e) {
            synchronized (this) {
                leaving[i] = false;
            }
            return new Membership(fault, started, 0, 0, Map.of(), "", "DECOMMISSION not sent: " + e.getMessage());
        }
        long deadline = started + TimeUnit.MILLISECONDS.toNanos(MEMBERSHIP_TIMEOUT_MILLIS);
        long streaming = 0;
        Map<String, String> fields = Map.of();
        while (node.isAlive() && System.nanoTime() < deadline) {
            Map<String, String> now = LocalCluster.info(node, "streaming");
            if (!now.isEmpty()) {
                fields = now;
                if (streaming == 0 && number(now, "stream_sessions") > 0) {
                    streaming = System.nanoTime();
                }
            }
            Thread.sleep(500);
        }
        if (node.isAlive()) {
            return new Membership(fault, started, streaming, 0, fields, answer, "node" + i + " had not left within "
                + MEMBERSHIP_TIMEOUT_MILLIS / 1000 + " s of DECOMMISSION; INFO streaming " + fields);
        }
        long ended = System.nanoTime();
        int status = node.exitCode();
        synchronized (this) {
            cluster.depart(i);
            node.wipe();
        }
        return new Membership(fault, started, streaming, ended, fields, answer, status == 0 ? null
            : "node" + i + " exited with " + status + " while leaving; the end of its log:\n" + node.logTail(20));
    }

    private static long number(Map<String, String> fields, String name) {
        try {
            return Long.parseLong(fields.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void heal(Fault fault) {
        List<Integer> nodes = fault.nodes();
        switch (fault.kind()) {
            case KILL -> {
                cluster.node(nodes.get(0)).start();
                killedByUs[nodes.get(0)] = false;
            }
            case PAUSE, LONG_PAUSE -> cluster.node(nodes.get(0)).resume();
            case PARTITION, ONE_WAY_PARTITION, LOSS -> cluster.network().heal();
            case CLOCK_SKEW -> cluster.node(nodes.get(0)).skew(0);
            case DISK_FULL -> cluster.node(nodes.get(0)).freeDisk();
            case JOIN, LEAVE -> throw new IllegalStateException(fault.kind() + " is not applied and healed");
        }
    }

    /**
     * Notes every member that exited without being killed by a fault or asked to leave. Called by the harness now
     * and then.
     */
    synchronized void watch() {
        for (ClusterNode node : cluster.members()) {
            int i = node.index();
            if (!node.isAlive() && !killedByUs[i] && !leaving[i] && reportedAtStart[i] != node.starts()) {
                exits.add(new Exit(i, System.nanoTime(), node.exitCode(), node.logTail(30)));
                reportedAtStart[i] = node.starts();
            }
        }
    }

    /**
     * Heals every fault and restarts every member that is not running (but one that was asked to leave: having
     * left, it would join as a new node): the cluster whole again.
     */
    synchronized void healAll() {
        cluster.network().heal();
        for (ClusterNode node : cluster.members()) {
            node.skew(0);
            node.freeDisk();
            if (node.isAlive()) {
                node.resume();
            } else if (!leaving[node.index()]) {
                node.start();
            }
            killedByUs[node.index()] = false;
        }
    }

    private void waitUntil(long millisAfterStart) throws InterruptedException {
        long wait;
        while ((wait = startNanos + shiftNanos + millisAfterStart * 1_000_000 - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(wait / 1_000_000 + 1, 500));
            watch();
        }
    }

    private synchronized void record(Applied fault) {
        applied.add(fault);
    }

    synchronized List<Applied> applied() {
        return List.copyOf(applied);
    }

    synchronized List<Membership> memberships() {
        return List.copyOf(memberships);
    }

    synchronized List<Exit> exits() {
        return List.copyOf(exits);
    }
}

package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Applies a schedule of faults to the cluster at their times, heals each after its duration, and watches for node
 * processes that exit by themselves. Runs on its own thread; {@link #healAll()} leaves the cluster whole whatever
 * happened.
 *
 * <p>Joins, leaves and removals take as long as they take: the nemesis waits for each to end (at most
 * {@link #MEMBERSHIP_TIMEOUT_MILLIS}) and moves the rest of the schedule, and the workload's end, by the
 * difference from the slot the schedule gave it. Nothing else happens to the cluster meanwhile (one fault at a
 * time), but for the kill of a joiner mid-stream that a join may include: a supported case (it resumes).
 */
final class Nemesis implements Runnable {
    /** the longest a join, a leave or a removal may take before it counts as failed */
    static final long MEMBERSHIP_TIMEOUT_MILLIS = 180_000;
    /** how long a node whose removal failed is waited for, once started again, before the schedule goes on */
    private static final long REJOIN_WAIT_MILLIS = 60_000;
    /** how long a joiner killed mid-stream stays down */
    private static final long JOINER_DOWN_MILLIS = 3_000;

    /**
     * A join, leave or removal as it happened.
     *
     * @param fault the scheduled join, leave or removal
     * @param startedNanos when the joiner started, the leaver was asked to decommission, or the removed node was
     *     killed
     * @param streamingNanos when the node was first seen streaming (INFO streaming), 0 if never
     * @param endedNanos when the joiner (or the removed node, joining anew) served as NORMAL, or the leaver's process
     *     had exited; 0 if neither happened
     * @param streaming the node's {@code INFO streaming} fields last seen (a joiner's after it joined, of the
     *     process that finished the join; a leaver's just before it exited)
     * @param note what happened on the way (the kill mid-stream, the node's answer to DECOMMISSION, the removal's
     *     steps and the drop the removed node logged)
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
    /** how far joins, leaves and removals moved the rest of the schedule (either way) */
    private volatile long shiftNanos;

    /**
     * @param deadlineNanos when the workload ends; moved as joins, leaves and removals move the schedule
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
                    // the workload runs on until the change has ended, however far past its slot (each change gives
                    // up by itself after MEMBERSHIP_TIMEOUT_MILLIS): one cut short by the workload's end would be
                    // neither judged nor recorded
                    deadlineNanos.set(Long.MAX_VALUE);
                    Membership change;
                    long ended;
                    try {
                        change = switch (fault.kind()) {
                            case JOIN -> join(fault);
                            case LEAVE -> leave(fault);
                            default -> remove(fault);
                        };
                    } finally {
                        ended = System.nanoTime();
                        shiftNanos += ended - (startNanos + shiftNanos
                            + TimeUnit.MILLISECONDS.toNanos(fault.endMillis()));
                        deadlineNanos.set(scheduledDeadlineNanos + shiftNanos);
                    }
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
            case JOIN, LEAVE, REMOVE -> throw new IllegalStateException(fault.kind() + " is not applied and healed");
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
        StreamWatch stream = new StreamWatch();
        String note = "";
        while (System.nanoTime() < deadline) {
            if (LocalCluster.joined(node)) {
                cluster.serve(i);
                if (killPending) {
                    note = "streaming ended before the kill; ";
                }
                return new Membership(fault, started, stream.firstNanos, System.nanoTime(), stream.last(node),
                    note + "NORMAL; clients sent to it from then on", null);
            }
            Map<String, String> now = stream.observe(node);
            long total = number(now, "stream_sessions");
            long done = number(now, "stream_sessions_done");
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
        return new Membership(fault, started, stream.firstNanos, 0, stream.fields, note, "node" + i
            + " was not NORMAL within " + MEMBERSHIP_TIMEOUT_MILLIS / 1000 + " s; INFO streaming " + stream.fields);
    }

    /** A joining node's {@code INFO streaming} as the nemesis polls it. */
    private static final class StreamWatch {
        /** when a plan was first seen (sessions listed), 0 before */
        long firstNanos;
        /** the fields last seen, empty before any answer */
        Map<String, String> fields = Map.of();

        /** @return the node's fields now, empty when it did not answer (the last seen are kept) */
        Map<String, String> observe(ClusterNode node) {
            Map<String, String> now = LocalCluster.info(node, "streaming");
            if (!now.isEmpty()) {
                fields = now;
                if (firstNanos == 0 && number(now, "stream_sessions") > 0) {
                    firstNanos = System.nanoTime();
                }
            }
            return now;
        }

        /** @return the node's fields now, or the last seen when it does not answer */
        Map<String, String> last(ClusterNode node) {
            Map<String, String> now = LocalCluster.info(node, "streaming");
            return now.isEmpty() ? fields : now;
        }
    }

    /**
     * A member removed while it is down, then started again on its old data (an operator who removed a dead node
     * and later brought its machine back): killed, with no client sent to it from then on; removed with
     * {@code REMOVENODE} through another member once every other member judges it DOWN; started again
     * {@code amount} seconds after every other member holds it LEFT. It must learn of its removal, drop its records
     * (the process logs the drop) and join as a new node, streaming its new ranges; clients are sent to it again once
     * it serves as NORMAL. A node that rejoined without dropping its records is a failed change.
     */
    private Membership remove(Fault fault) throws InterruptedException {
        int i = fault.nodes().getFirst();
        ClusterNode node = cluster.node(i);
        String id = node.name();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MILLISECONDS.toNanos(MEMBERSHIP_TIMEOUT_MILLIS);
        synchronized (this) {
            killedByUs[i] = true;
            cluster.withdraw(i);
            node.kill();
        }
        List<ClusterNode> others = cluster.members().stream().filter(n -> n.index() != i).toList();
        StringBuilder note = new StringBuilder();
        if (!everyOther(others, id, view -> "DOWN".equals(view.get("liveness")), deadline)) {
            return removalFailed(fault, started, node, note, "the other members did not all judge node" + i
                + " DOWN within " + MEMBERSHIP_TIMEOUT_MILLIS / 1000 + " s");
        }
        note.append(String.format("killed, DOWN everywhere %.1f s later; ", (System.nanoTime() - started) / 1e9));
        ClusterNode remover = others.getFirst();
        String refusal;
        // a removal taken whose answer was lost is refused when asked again ("already removed"): the view says
        while ((refusal = removeNode(remover, id)) != null && !left(LocalCluster.viewOf(remover, id))) {
            if (System.nanoTime() > deadline) {
                return removalFailed(fault, started, node, note, "REMOVENODE " + id + " through " + remover.name()
                    + " was not taken: " + refusal);
            }
            Thread.sleep(1_000);
            watch();
        }
        long removed = System.nanoTime();
        if (!everyOther(others, id, Nemesis::left, deadline)) {
            return removalFailed(fault, started, node, note, "the other members did not all hold node" + i
                + " LEFT within " + MEMBERSHIP_TIMEOUT_MILLIS / 1000 + " s of the start");
        }
        note.append(String.format("removed through %s, LEFT everywhere %.1f s later; ", remover.name(),
            (System.nanoTime() - removed) / 1e9));
        waitFor(TimeUnit.SECONDS.toNanos(fault.amount()));
        synchronized (this) {
            node.start();
            killedByUs[i] = false;
        }
        note.append("started again on its data ").append(fault.amount()).append(" s later; ");
        StreamWatch stream = new StreamWatch();
        while (System.nanoTime() < deadline) {
            if (LocalCluster.joined(node)) {
                long ended = System.nanoTime();
                // the drop's own line, of this process: a node that rejoined with its records and learned of the
                // removal only afterwards counts it too (lifecycle_removed_while_down), but drops nothing
                String dropped = node.logLineOfThisRun("records of node " + id + "'s previous run: it joins");
                cluster.serve(i);
                note.append(dropped == null ? "no drop logged" : dropped.substring(dropped.indexOf("dropped the")))
                    .append("; NORMAL, clients sent to it from then on");
                return new Membership(fault, started, stream.firstNanos, ended, stream.last(node), note.toString(),
                    dropped != null ? null : id + " serves again without having dropped the records of its removed"
                        + " run (its log has no \"dropped the ... records of node " + id + "'s previous run\" since"
                        + " its start)");
            }
            stream.observe(node);
            Thread.sleep(250);
            watch();
        }
        return new Membership(fault, started, stream.firstNanos, 0, stream.fields, note.toString(), id
            + " was not NORMAL within " + MEMBERSHIP_TIMEOUT_MILLIS / 1000 + " s of the start; the end of its log:\n"
            + node.logTail(20));
    }

    /** @return true once every node of {@code others} answers with a view of {@code id} that {@code holds} */
    private boolean everyOther(List<ClusterNode> others, String id, Predicate<Map<String, String>> holds,
                               long deadline) throws InterruptedException {
        while (true) {
            if (others.stream().allMatch(other -> {
                Map<String, String> view = LocalCluster.viewOf(other, id);
                return view != null && holds.test(view);
            })) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(500);
            watch();
        }
    }

    /** @return true when a member's view of a node says it left (or has forgotten it) */
    private static boolean left(Map<String, String> view) {
        return view != null && (view.isEmpty() || "LEFT".equals(view.get("state")));
    }

    /**
     * A removal that did not get as far as the restart: the node is started again all the same, and clients are sent
     * to it once it serves (or {@link #REJOIN_WAIT_MILLIS} passed), so that the next fault finds the cluster whole.
     */
    private Membership removalFailed(Fault fault, long started, ClusterNode node, StringBuilder note, String problem)
        throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REJOIN_WAIT_MILLIS);
        synchronized (this) {
            if (!node.isAlive()) {
                node.start();
            }
            killedByUs[node.index()] = false;
        }
        while (System.nanoTime() < deadline && !LocalCluster.joined(node)) {
            Thread.sleep(250);
            watch();
        }
        cluster.serve(node.index());
        return new Membership(fault, started, 0, 0, Map.of(), note.toString(), problem);
    }

    /** @return null when {@code via} took {@code REMOVENODE id}, else its refusal or why it could not be asked */
    private static String removeNode(ClusterNode via, String id) {
        try (RespClient client = new RespClient(via.host(), ClusterNode.CLIENT_PORT, 5_000)) {
            RespClient.Reply reply = client.call("REMOVENODE", id);
            return reply instanceof RespClient.Error(String message) ? message : null;
        } catch (IOException e) {
            return "not sent: " + e.getMessage();
        }
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
        StreamWatch stream = new StreamWatch();
        while (node.isAlive() && System.nanoTime() < deadline) {
            stream.observe(node);
            Thread.sleep(500);
        }
        long streaming = stream.firstNanos;
        Map<String, String> fields = stream.fields;
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
            case JOIN, LEAVE, REMOVE -> throw new IllegalStateException(fault.kind() + " is not applied and healed");
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

    /** Sleeps {@code nanos}, watching for exits meanwhile. */
    private void waitFor(long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        long wait;
        while ((wait = end - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(wait / 1_000_000 + 1, 500));
            watch();
        }
    }

    private void waitUntil(long millisAfterStart) throws InterruptedException {
        waitFor(startNanos + shiftNanos + millisAfterStart * 1_000_000 - System.nanoTime());
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

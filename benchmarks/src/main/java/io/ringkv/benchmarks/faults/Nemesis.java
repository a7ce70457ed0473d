package io.ringkv.benchmarks.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies a schedule of faults to the cluster at their times, heals each after its duration, and watches for node
 * processes that exit by themselves. Runs on its own thread; {@link #healAll()} leaves the cluster whole whatever
 * happened.
 */
final class Nemesis implements Runnable {
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
    private final List<Applied> applied = new ArrayList<>();
    private final List<Exit> exits = new ArrayList<>();
    private final boolean[] killedByUs;
    /** the start count of each node when its last exit was reported, so one exit is reported once */
    private final int[] reportedAtStart;

    Nemesis(LocalCluster cluster, List<Fault> schedule, long startNanos) {
        this.cluster = cluster;
        this.schedule = schedule;
        this.startNanos = startNanos;
        this.killedByUs = new boolean[cluster.nodes().size() + 1];
        this.reportedAtStart = new int[cluster.nodes().size() + 1];
    }

    @Override
    public void run() {
        try {
            for (Fault fault : schedule) {
                waitUntil(fault.startMillis());
                long started = System.nanoTime();
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
            case LOSS -> cluster.nodes().forEach(node -> cluster.network().lose(node.index(), fault.amount() / 100.0));
            case CLOCK_SKEW -> cluster.node(nodes.get(0)).skew(fault.amount());
            case DISK_FULL -> {
                return "ballast of " + (cluster.node(nodes.get(0)).fillDisk() >> 20) + " MiB filled the disk";
            }
        }
        return "";
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
        }
    }

    /** Notes every node that exited without being killed by a fault. Called by the harness now and then. */
    synchronized void watch() {
        for (ClusterNode node : cluster.nodes()) {
            int i = node.index();
            if (!node.isAlive() && !killedByUs[i] && reportedAtStart[i] != node.starts()) {
                exits.add(new Exit(i, System.nanoTime(), node.exitCode(), node.logTail(30)));
                reportedAtStart[i] = node.starts();
            }
        }
    }

    /** Heals every fault and restarts every node that is not running: the cluster whole again. */
    synchronized void healAll() {
        cluster.network().heal();
        for (ClusterNode node : cluster.nodes()) {
            node.skew(0);
            node.freeDisk();
            if (node.isAlive()) {
                node.resume();
            } else {
                node.start();
            }
            killedByUs[node.index()] = false;
        }
    }

    private void waitUntil(long millisAfterStart) throws InterruptedException {
        long wait;
        while ((wait = startNanos + millisAfterStart * 1_000_000 - System.nanoTime()) > 0) {
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

    synchronized List<Exit> exits() {
        return List.copyOf(exits);
    }
}

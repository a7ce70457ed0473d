package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ringkv cluster --autoscale}'s steps against fake node processes and fake client ports, polled every
 * millisecond, on a clock the test moves.
 */
class AutoscalerTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final ByteArrayOutputStream said = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);
    private final List<FakeNode> ports = new ArrayList<>();
    private Thread thread;
    private Autoscaler autoscaler;

    @AfterEach
    void stop() throws Exception {
        if (autoscaler != null) {
            autoscaler.stop();
            thread.join(10_000);
        }
        for (FakeNode port : ports) {
            port.close();
        }
    }

    @Test
    void aNodeThatExitsWhileJoiningIsStartedAgainOnlyAfterAWaitThatDoublesWithEachFailure() throws Exception {
        // every start of a node that could not join (a full disk, a port taken) was followed by another two seconds
        // later, in the next slot, until every slot held a failed node
        Processes processes = new Processes(List.of(1));
        processes.failJoins = true;
        processes.ports.put(1, answer(section -> section.equals("autoscale")
            ? "autoscale_members:1\r\nautoscale_recommended_nodes:2\r\nautoscale_moving:0\r\nautoscale_reason:busy\r\n"
            : "cluster_self:node1\r\ncluster_leftovers_here:0\r\n"));
        start(processes, 1, 3);

        awaitTrue(() -> processes.started.size() == 1 && text().contains("next start waits 30 s"));
        Thread.sleep(300);
        assertEquals(List.of(2), processes.started, "started again before the wait was over");
        assertTrue(text().contains("node2 exited with status 1 while joining"), text());
        assertTrue(text().contains("its slot may be used again"), text());

        clock.addAndGet(30_000);
        awaitTrue(() -> processes.started.size() == 2 && text().contains("next start waits 60 s"));
        assertEquals(List.of(2, 2), processes.started, "the failed joiner's slot, which holds no ranges, is used again");
        clock.addAndGet(59_000);
        Thread.sleep(300);
        assertEquals(2, processes.started.size(), "started again before the doubled wait was over");
    }

    @Test
    void aNodeThatExitedWhileLeavingHoldsTheAutoscalerUntilTheClusterNoLongerListsIt() throws Exception {
        // a node killed while it left stopped the autoscaler for good, even after an operator removed it
        Processes processes = new Processes(List.of(1, 2));
        AtomicBoolean removed = new AtomicBoolean();
        processes.ports.put(1, answer(section -> {
            if (section.equals("autoscale")) {
                int members = removed.get() ? 1 : 2;
                return "autoscale_members:" + members + "\r\nautoscale_recommended_nodes:1\r\nautoscale_moving:0\r\n"
                    + "autoscale_reason:idle\r\n";
            }
            return "cluster_self:node1\r\ncluster_leftovers_here:0\r\nnode0:id=node1,state=NORMAL,liveness=ALIVE\r\n"
                + (removed.get() ? "" : "node1:id=node2,state=NORMAL,liveness=DOWN\r\n");
        }));
        processes.ports.put(2, answer(section -> {
            if (section.equals("DECOMMISSION")) {
                // killed while its ranges were streamed: it still names its tokens
                processes.holdingRanges.add(2);
                processes.exit(2, 137);
            }
            return "";
        }));
        start(processes, 1, 3);

        awaitTrue(() -> text().contains("node2 exited with status 137 before it left"));
        Thread.sleep(300);
        assertTrue(!text().contains("autoscaling resumes"), text());

        removed.set(true);
        awaitTrue(() -> text().contains("node2 is no longer listed by node1: autoscaling resumes"));
    }

    private void start(Processes processes, int min, int max) {
        autoscaler = new Autoscaler(processes, min, max, out, 1, clock::get);
        thread = Thread.ofPlatform().daemon().start(autoscaler);
    }

    /** @return a client port answering {@code INFO <section>} and other commands by their first argument */
    private FakeNode answer(java.util.function.Function<String, String> bySection) throws Exception {
        FakeNode port = FakeNode.answering(request -> {
            String[] lines = request.split("\r\n");
            // *2, $4, INFO, $9, autoscale: the section is the fifth line; a lone command the third
            String first = lines.length > 2 ? lines[2] : "";
            return bySection.apply(first.equals("INFO") && lines.length > 4 ? lines[4] : first);
        });
        ports.add(port);
        return port;
    }

    private String text() {
        return said.toString(StandardCharsets.UTF_8);
    }

    private void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached in 10 s; the autoscaler said:\n" + text());
            }
            Thread.sleep(5);
        }
    }

    /** Node processes that run until told to exit, with a fake client port each. */
    private static final class Processes implements Autoscaler.Nodes {
        final List<Integer> running;
        final Map<Integer, Integer> exited = new HashMap<>();
        final Map<Integer, FakeNode> ports = new HashMap<>();
        final List<Integer> holdingRanges = new CopyOnWriteArrayList<>();
        final List<Integer> started = new CopyOnWriteArrayList<>();
        volatile boolean failJoins;

        Processes(List<Integer> running) {
            this.running = new CopyOnWriteArrayList<>(running);
        }

        synchronized void exit(int index, int status) {
            running.remove(Integer.valueOf(index));
            exited.put(index, status);
        }

        @Override
        public List<Integer> running() {
            return List.copyOf(running);
        }

        @Override
        public int clientPort(int index) {
            FakeNode port = ports.get(index);
            // a port nothing listens on: refused
            return port == null ? 1 : port.port();
        }

        @Override
        public synchronized void startFresh(int index) {
            started.add(index);
            exited.remove(index);
            if (failJoins) {
                exited.put(index, 1);
            } else {
                running.add(index);
            }
        }

        /** @return the lowest slot not running and holding no ranges, up to 3 */
        @Override
        public synchronized int freeSlot() {
            for (int i = 1; i <= 3; i++) {
                if (!running.contains(i) && !holdingRanges.contains(i)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public synchronized int exitStatus(int index) {
            return exited.getOrDefault(index, -1);
        }

        @Override
        public boolean holdsRanges(int index) {
            return holdingRanges.contains(index);
        }
    }
}

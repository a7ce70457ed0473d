package io.ringkv.benchmarks.faults;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads every key of the history after the heal, the settle and hinted handoff: first each node's own replica, one
 * node at a time, at ONE through that node alone (its peer traffic cut both ways while it is read, so no other
 * replica can answer for it and its read cannot repair the others), to see what each replica holds; then through
 * a coordinator at ALL (QUORUM for a key whose ALL read fails), the final state the checker judges. Only members
 * are read: a node that left is not expected to answer.
 */
final class FinalReader {
    private static final int BATCH = 100;
    private static final int TIMEOUT_MILLIS = 15_000;
    private static final int PROGRESS_EVERY = 10_000;
    /** the longest a node is cut off for its own reads: below the failure detector's 5 s SUSPECT */
    private static final long ISOLATION_MILLIS = 3_000;

    private final LocalCluster cluster;
    private final long settleMillis;
    private int unreadableLogged;
    private String lastError = "";

    /** @param settleMillis how long to wait for the cluster to settle again after a node's isolation */
    FinalReader(LocalCluster cluster, long settleMillis) {
        this.cluster = cluster;
        this.settleMillis = settleMillis;
    }

    FinalState read(List<String> keys) throws InterruptedException {
        Map<Integer, Map<String, List<String>>> perNode = new TreeMap<>();
        List<ClusterNode> members = cluster.members();
        for (ClusterNode node : members) {
            perNode.put(node.index(), readAlone(node, keys));
        }
        Map<String, List<String>> values = new HashMap<>();
        for (int from = 0; from < keys.size(); from += BATCH) {
            List<String> batch = keys.subList(from, Math.min(keys.size(), from + BATCH));
            ClusterNode coordinator = members.get((from / BATCH) % members.size());
            values.putAll(readThrough(coordinator, batch, "ALL"));
            progress("through a coordinator at ALL", from + batch.size(), keys.size());
        }
        for (String key : keys) {
            if (values.get(key) == null) {
                values.put(key, retry(key));
            }
        }
        return new FinalState(values, "ALL (QUORUM where ALL failed)", perNode);
    }

    /**
     * Reads every key at ONE through {@code node} while it is cut off from its peers. The keys are read in spells
     * of at most {@link #ISOLATION_MILLIS}, each healed and followed by a wait for the cluster to settle, so that no
     * isolation lasts long enough for the failure detectors to suspect anyone (a soak run has many keys).
     */
    private Map<String, List<String>> readAlone(ClusterNode node, List<String> keys) throws InterruptedException {
        Map<String, List<String>> values = new HashMap<>();
        int from = 0;
        while (from < keys.size()) {
            long spellEnd = System.nanoTime() + ISOLATION_MILLIS * 1_000_000;
            cluster.network().isolate(node.index());
            try {
                while (from < keys.size() && System.nanoTime() < spellEnd) {
                    List<String> batch = keys.subList(from, Math.min(keys.size(), from + BATCH));
                    values.putAll(readThrough(node, batch, "ONE"));
                    from += batch.size();
                    progress("through " + node.name() + " alone at ONE", from, keys.size());
                }
            } finally {
                cluster.network().heal();
            }
            String problem = cluster.awaitSettled(settleMillis);
            if (problem != null) {
                System.out.println("fault-harness: the cluster did not settle after " + node.name()
                    + " was cut off for its reads:\n" + problem);
            }
        }
        return values;
    }

    /** A line every {@link #PROGRESS_EVERY} keys, so that a long run's final reads show they move. */
    private static void progress(String how, int done, int total) {
        if (done % PROGRESS_EVERY == 0 || done == total) {
            System.out.printf("fault-harness: final reads %s: %,d of %,d keys%n", how, done, total);
        }
    }

    /** One key at a time through each node in turn, at ALL then QUORUM: the last word on a key. */
    private List<String> retry(String key) {
        for (String level : List.of("ALL", "QUORUM")) {
            for (ClusterNode node : cluster.members()) {
                List<String> read = readThrough(node, List.of(key), level).get(key);
                if (read != null) {
                    return read;
                }
            }
        }
        if (unreadableLogged++ < 3) {
            System.out.println("fault-harness: cannot read " + key + " back: " + lastError);
        }
        return null;
    }

    private Map<String, List<String>> readThrough(ClusterNode coordinator, List<String> keys, String level) {
        RespClient client = open(coordinator, level);
        try {
            if (client != null) {
                for (String key : keys) {
                    client.send("GETV", key);
                }
                client.flush();
            }
            return replies(client, keys);
        } catch (IOException e) {
            return replies(null, keys);
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /** @return each key's sibling values, null for a key whose read failed */
    private Map<String, List<String>> replies(RespClient client, List<String> keys) {
        Map<String, List<String>> values = new HashMap<>();
        for (String key : keys) {
            List<String> read = null;
            if (client != null) {
                try {
                    RespClient.Reply reply = client.read();
                    if (reply instanceof RespClient.Error(String message)) {
                        lastError = message;
                    } else {
                        read = new Workload.Reading().parse(reply);
                    }
                } catch (IOException e) {
                    lastError = e.toString();
                    client = null;
                } catch (RuntimeException e) {
                    lastError = e.getMessage();
                }
            }
            values.put(key, read == null ? null : new ArrayList<>(read));
        }
        return values;
    }

    private RespClient open(ClusterNode node, String level) {
        try {
            RespClient client = new RespClient(node.host(), ClusterNode.CLIENT_PORT, TIMEOUT_MILLIS);
            if (client.call("CONSISTENCY", level) instanceof RespClient.Error(String message)) {
                lastError = message;
                client.close();
                return null;
            }
            return client;
        } catch (IOException e) {
            lastError = node.name() + ": " + e;
            return null;
        }
    }
}

package io.ringkv.node.membership;

import io.ringkv.api.CausalContext;
import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import io.ringkv.replication.GetCallback;
import io.ringkv.replication.PutCallback;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Clients of an {@link ElasticCluster}: QUORUM writes (a distinct value each, with the context of the key's last
 * read) and QUORUM reads through random serving nodes, every acknowledged write and every read recorded with its
 * time, and the check that no read missed a write acknowledged before it began.
 */
final class QuorumWorkload {
    static final Consistency QUORUM = Consistency.DEFAULT;
    private static final long MS = 1_000_000;
    private static final int ATTEMPTS = 8;

    /**
     * A write the cluster acknowledged, at {@code ackedAt}; {@code replicas}: the key's replicas in the ring of the
     * node it was sent to, and {@code issuerReplicas} in the ring of the replica that coordinated it (issued its
     * dot; another node when the first was no replica of the key and forwarded it), when the write was acknowledged.
     */
    record Acked(String key, long ackedAt, Version version, NodeId via, Set<NodeId> replicas,
                 Set<NodeId> issuerReplicas) {
    }

    /** A read that succeeded, begun at {@code startedAt}, routed by a ring in which the key had {@code replicas}. */
    record Read(String key, long startedAt, SiblingSet result, NodeId via, Set<NodeId> replicas) {
    }

    /** A read that misses a write acknowledged before it began. */
    record Miss(Read read, Acked write) {
        @Override
        public String toString() {
            return "read of " + read.key() + " via " + read.via() + " (replicas " + read.replicas() + ") begun at "
                + read.startedAt() / MS + " ms returned " + read.result().versions() + ", missing the write"
                + " acknowledged via " + write.via() + " (replicas " + write.replicas() + ", coordinated by "
                + write.version().dot().node() + " with replicas " + write.issuerReplicas() + ") at "
                + write.ackedAt() / MS + " ms: " + write.version() + (read.replicas().equals(write.replicas())
                && read.replicas().equals(write.issuerReplicas()) ? "" : " (routed by rings that disagree)");
        }
    }

    private final ElasticCluster cluster;
    private final SplittableRandom random;
    private final Map<String, List<Acked>> acked = new HashMap<>();
    private final List<Read> reads = new ArrayList<>();
    private final Map<String, CausalContext> contexts = new HashMap<>();
    private final List<String> keys = new ArrayList<>();
    private long writes;
    private long failures;
    /** Requests scheduled to be sent (or sent again) and not sent yet. */
    private long scheduled;
    /** Requests sent and not answered, by coordinator incarnation: a crashed coordinator never answers its own. */
    private final Map<String, Integer> inFlight = new HashMap<>();
    private boolean running;

    QuorumWorkload(ElasticCluster cluster, long seed) {
        this.cluster = cluster;
        this.random = new SplittableRandom(seed ^ 0x5EEDL);
    }

    /** Writes each key once (retrying a write that fails), {@code spacingNanos} apart; the keys are kept. */
    void preload(List<String> preloaded, int valueBytes, long spacingNanos) {
        for (int i = 0; i < preloaded.size(); i++) {
            String key = preloaded.get(i);
            keys.add(key);
            later(i * spacingNanos, () -> write(key, key + "#0" + "x".repeat(valueBytes), ATTEMPTS));
        }
    }

    /** Reads and writes the {@code hot} keys through random serving nodes, one request every {@code everyNanos}. */
    void start(List<String> hot, long everyNanos) {
        keys.addAll(hot);
        running = true;
        tick(hot, everyNanos);
    }

    void stop() {
        running = false;
    }

    private void tick(List<String> hot, long everyNanos) {
        if (!running) {
            return;
        }
        String key = hot.get(random.nextInt(hot.size()));
        if (random.nextBoolean()) {
            write(key, key + "#" + ++writes, 1);
        } else {
            read(key, 1);
        }
        cluster.simulation().schedule(everyNanos, () -> tick(hot, everyNanos));
    }

    /** Reads every key through every node of {@code via}, retrying a read that fails. */
    void readAll(List<NodeId> via) {
        long at = 0;
        for (String key : keys) {
            for (NodeId node : via) {
                later(at++ * MS / 4, () -> readThrough(node, key, ATTEMPTS));
            }
        }
    }

    /** @return whether every request issued so far was answered, or its coordinator crashed */
    boolean idle() {
        if (scheduled > 0) {
            return false;
        }
        for (Map.Entry<String, Integer> entry : inFlight.entrySet()) {
            if (entry.getValue() > 0 && entry.getKey().equals(incarnationOf(NodeId.of(entry.getKey()
                .substring(0, entry.getKey().indexOf('#')))))) {
                return false;
            }
        }
        return true;
    }

    private String incarnationOf(NodeId node) {
        return cluster.isUp(node) ? node + "#" + cluster.simulation().node(node).incarnation() : "";
    }

    private void later(long delayNanos, Runnable request) {
        scheduled++;
        cluster.simulation().schedule(delayNanos, () -> {
            scheduled--;
            request.run();
        });
    }

    /** @return the token that ends the request through {@code via} (call it once, when it is answered) */
    private Runnable sent(NodeId via) {
        String incarnation = incarnationOf(via);
        inFlight.merge(incarnation, 1, Integer::sum);
        return () -> inFlight.merge(incarnation, -1, Integer::sum);
    }

    /** @return the key's replicas in the ring {@code via} routes by now */
    private Set<NodeId> replicas(NodeId via, String key) {
        Set<NodeId> replicas = new LinkedHashSet<>();
        for (io.ringkv.api.Node node : cluster.member(via).replication.coordinator().ring()
            .preferenceList(Key.utf8(key)).replicas()) {
            replicas.add(node.id());
        }
        return replicas;
    }

    private NodeId servingNode() {
        List<NodeId> serving = cluster.upIds().stream().filter(id -> cluster.member(id).serves()).toList();
        return serving.isEmpty() ? null : serving.get(random.nextInt(serving.size()));
    }

    private void write(String key, String value, int attempts) {
        NodeId via = servingNode();
        if (via == null) {
            return;
        }
        Runnable answered = sent(via);
        Set<NodeId> replicas = replicas(via, key);
        cluster.member(via).replication.coordinator().put(Key.utf8(key), Value.utf8(value), contexts.get(key),
            QUORUM, new PutCallback() {
                @Override
                public void onSuccess(Version written) {
                    acked.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new Acked(key, cluster.simulation().now(), written, via, replicas,
                            cluster.isUp(written.dot().node()) ? replicas(written.dot().node(), key) : replicas));
                    answered.run();
                }

                @Override
                public void onFailure(ErrorCode code, String message) {
                    // an unacknowledged write is indeterminate: the invariant says nothing of it
                    failures++;
                    answered.run();
                    retryOrGiveUp(attempts, () -> write(key, value, attempts - 1));
                }
            });
    }

    private void read(String key, int attempts) {
        NodeId via = servingNode();
        if (via != null) {
            readThrough(via, key, attempts);
        }
    }

    private void readThrough(NodeId via, String key, int attempts) {
        if (!cluster.isUp(via)) {
            return;
        }
        Runnable answered = sent(via);
        Set<NodeId> replicas = replicas(via, key);
        long startedAt = cluster.simulation().now();
        cluster.member(via).replication.coordinator().get(Key.utf8(key), QUORUM, new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                reads.add(new Read(key, startedAt, siblings, via, replicas));
                contexts.put(key, siblings.context());
                answered.run();
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                failures++;
                answered.run();
                retryOrGiveUp(attempts, () -> readThrough(via, key, attempts - 1));
            }
        });
    }

    private void retryOrGiveUp(int attempts, Runnable retry) {
        if (attempts > 1) {
            later(100 * MS, retry);
        }
    }

    List<String> keys() {
        return keys;
    }

    long acknowledged() {
        return acked.values().stream().mapToLong(List::size).sum();
    }

    List<Read> reads() {
        return reads;
    }

    long failures() {
        return failures;
    }

    /** @return whether {@code key} has an acknowledged write */
    boolean wasAcknowledged(String key) {
        return acked.containsKey(key);
    }

    /** @return every read that misses a write of its key acknowledged before the read began (see {@link Miss}) */
    List<Miss> misses() {
        List<Miss> missed = new ArrayList<>();
        for (Read read : reads) {
            for (Acked write : acked.getOrDefault(read.key(), List.of())) {
                if (write.ackedAt() < read.startedAt() && !covers(read.result(), write.version())) {
                    missed.add(new Miss(read, write));
                }
            }
        }
        return missed;
    }

    private static boolean covers(SiblingSet result, Version write) {
        for (Versioned versioned : result.versions()) {
            Version seen = versioned.version();
            if (seen.equals(write) || write.isSupersededBy(seen)) {
                return true;
            }
        }
        return false;
    }
}

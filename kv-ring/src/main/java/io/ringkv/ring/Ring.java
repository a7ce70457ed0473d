package io.ringkv.ring;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.internal.Ownership;
import io.ringkv.ring.internal.ReplicaPlacement;
import io.ringkv.ring.internal.TokenArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of the ring: physical nodes, their virtual-node tokens and, for every token, the
 * precomputed preference list of up to N distinct nodes (rack aware). A key's token belongs to the range
 * {@code (previous token, token]} of the first token at or after it, wrapping past {@code Long.MAX_VALUE}.
 *
 * <p>Nodes are numbered 0..size()-1 in {@link NodeId} order and tokens 0..tokenCount()-1 in signed order;
 * both numberings hold for this snapshot only. Lookups are O(log tokens), allocate nothing (except the
 * methods that say so) and are safe from any thread. Changes return a new snapshot.
 */
public final class Ring {
    /** Replication factor used when none is given. */
    public static final int DEFAULT_REPLICATION_FACTOR = 3;
    /** Largest replication factor a ring precomputes preference lists for. */
    public static final int MAX_REPLICATION_FACTOR = 16;

    private static final Comparator<Node> BY_ID = Comparator.comparing(Node::id);

    private final int replicationFactor;
    private final Node[] nodes;
    private final long[] tokens;
    private final int[] owners;
    private final int replicaCount;
    private final int[] replicas;

    private Ring(int replicationFactor, Node[] nodes, long[] tokens, int[] owners) {
        this.replicationFactor = replicationFactor;
        this.nodes = nodes;
        this.tokens = tokens;
        this.owners = owners;
        this.replicaCount = Math.min(replicationFactor, nodes.length);
        int[] domainOf = domainIndexes(nodes);
        this.replicas = ReplicaPlacement.place(owners, domainOf, distinctCount(domainOf), replicaCount);
    }

    /**
     * @return a ring without nodes that will keep preference lists of up to {@code replicationFactor} nodes
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} unless 1 &lt;= replicationFactor &lt;= 16
     */
    public static Ring empty(int replicationFactor) {
        checkReplicationFactor(replicationFactor);
        return new Ring(replicationFactor, new Node[0], new long[0], new int[0]);
    }

    /** @return a builder for a ring with many nodes at once (replication factor 3 unless set) */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return this ring plus {@code node} owning {@code tokens}
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the node is already on the ring, it has
     *     no tokens, a token repeats, is {@code Long.MIN_VALUE} or is already taken
     */
    public Ring withNode(Node node, long[] nodeTokens) {
        Objects.requireNonNull(node, "node");
        if (contains(node.id())) {
            throw invalid("node " + node.id() + " is already on the ring");
        }
        long[] added = TokenArrays.checkedJoining(node.id().value(), nodeTokens, tokens);
        int index = -Arrays.binarySearch(nodes, node, BY_ID) - 1;
        Node[] grown = new Node[nodes.length + 1];
        System.arraycopy(nodes, 0, grown, 0, index);
        grown[index] = node;
        System.arraycopy(nodes, index, grown, index + 1, nodes.length - index);
        long[] mergedTokens = new long[tokens.length + added.length];
        int[] mergedOwners = new int[mergedTokens.length];
        TokenArrays.merge(tokens, TokenArrays.shiftOwners(owners, index, 1), added, index,
            mergedTokens, mergedOwners);
        return new Ring(replicationFactor, grown, mergedTokens, mergedOwners);
    }

    /**
     * @return this ring without the node {@code id} and its tokens
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the node is not on the ring
     */
    public Ring withoutNode(NodeId id) {
        int index = requireIndex(id);
        Node[] shrunk = new Node[nodes.length - 1];
        System.arraycopy(nodes, 0, shrunk, 0, index);
        System.arraycopy(nodes, index + 1, shrunk, index, shrunk.length - index);
        int kept = tokens.length - TokenArrays.count(owners, index);
        long[] keptTokens = new long[kept];
        int[] keptOwners = new int[kept];
        for (int i = 0, k = 0; i < tokens.length; i++) {
            if (owners[i] != index) {
                keptTokens[k] = tokens[i];
                keptOwners[k++] = owners[i] > index ? owners[i] - 1 : owners[i];
            }
        }
        return new Ring(replicationFactor, shrunk, keptTokens, keptOwners);
    }

    /** @return the longest preference list this ring keeps, N */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** @return the length of every preference list: min(N, number of nodes) */
    public int replicaCount() {
        return replicaCount;
    }

    /** @return the number of physical nodes */
    public int size() {
        return nodes.length;
    }

    /** @return whether the ring has no nodes (lookups then fail) */
    public boolean isEmpty() {
        return nodes.length == 0;
    }

    /** @return the number of tokens (virtual nodes) on the ring */
    public int tokenCount() {
        return tokens.length;
    }

    /** @return the nodes in {@link NodeId} order; position i is node index i */
    public List<Node> nodes() {
        return List.of(nodes);
    }

    /** @return the node with index {@code nodeIndex} */
    public Node node(int nodeIndex) {
        return nodes[nodeIndex];
    }

    /** @return the index of node {@code id}, or -1 when it is not on the ring */
    public int indexOf(NodeId id) {
        int low = 0;
        int high = nodes.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int order = nodes[mid].id().compareTo(id);
            if (order == 0) {
                return mid;
            }
            if (order < 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return -1;
    }

    /** @return whether node {@code id} is on the ring */
    public boolean contains(NodeId id) {
        return indexOf(id) >= 0;
    }

    /**
     * @return node {@code id}'s tokens in ascending order (a copy)
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the node is not on the ring
     */
    public long[] tokensOf(NodeId id) {
        int index = requireIndex(id);
        long[] owned = new long[TokenArrays.count(owners, index)];
        for (int i = 0, k = 0; i < tokens.length; i++) {
            if (owners[i] == index) {
                owned[k++] = tokens[i];
            }
        }
        return owned;
    }

    /** @return whether some node owns exactly {@code token} */
    public boolean hasToken(long token) {
        return Arrays.binarySearch(tokens, token) >= 0;
    }

    /** @return the token with index {@code tokenIndex} (tokens ascend with their index) */
    public long token(int tokenIndex) {
        return tokens[tokenIndex];
    }

    /** @return the index of the node that owns token {@code tokenIndex} */
    public int ownerIndex(int tokenIndex) {
        return owners[tokenIndex];
    }

    /**
     * @return the index of the token whose range holds {@code token}: the first token &gt;= it, or 0 past the
     *     last; O(log tokens), allocation-free
     * @throws KvException with {@link ErrorCode#UNAVAILABLE} when the ring is empty
     */
    public int tokenIndexFor(long token) {
        if (tokens.length == 0) {
            throw new KvException(ErrorCode.UNAVAILABLE, "the ring has no nodes");
        }
        int found = Arrays.binarySearch(tokens, token);
        if (found >= 0) {
            return found;
        }
        int insertion = -found - 1;
        return insertion == tokens.length ? 0 : insertion;
    }

    /** @return the node index of replica {@code i} (0 = primary) of the range ending at token {@code tokenIndex} */
    public int replicaNodeIndex(int tokenIndex, int i) {
        return replicas[tokenIndex * replicaCount + i];
    }

    /**
     * @return whether node {@code id} is one of the replicas of {@code token}'s range; false on an empty ring or
     *     for a node not on it. Allocation-free.
     */
    public boolean replicates(NodeId id, long token) {
        int index = indexOf(id);
        if (index < 0) {
            return false;
        }
        int tokenIndex = tokenIndexFor(token);
        for (int i = 0; i < replicaCount; i++) {
            if (replicaNodeIndex(tokenIndex, i) == index) {
                return true;
            }
        }
        return false;
    }

    /**
     * The replicas a key gains while nodes join or leave (Cassandra's pending endpoints): those among the first
     * {@code n} of {@code future}'s preference list for {@code token} that are not among the first {@code n} of
     * {@code current}'s, in {@code future}'s order. None when {@code future} is {@code current} (no move runs) or
     * empty. Allocates; nothing while the ring is stable.
     *
     * @param n the request's replication factor, which may be below the ring's
     */
    public static List<NodeId> pendingReplicas(Ring current, Ring future, long token, int n) {
        if (future == current || future.isEmpty()) {
            return List.of();
        }
        PreferenceList next = future.preferenceList(token);
        List<NodeId> pending = new ArrayList<>();
        for (int i = 0; i < Math.min(n, next.size()); i++) {
            pending.add(next.get(i).id());
        }
        if (!current.isEmpty()) {
            PreferenceList now = current.preferenceList(token);
            for (int i = 0; i < Math.min(n, now.size()); i++) {
                pending.remove(now.get(i).id());
            }
        }
        return pending;
    }

    /**
     * Whether a ring change takes ranges away from a node: it replicates, in one of {@code before}, some token it
     * does not replicate in {@code after}. Such a node may hold records of ranges {@code after} does not give it
     * (leftovers of an earlier ownership, until a cleanup drops them). The rings are cut at every token of any of
     * them, and each piece is judged at its last token, which it holds. Allocates; for ring changes, not requests.
     *
     * @param id the node
     * @param after the ring the node keeps its ranges by
     * @param before the rings it replicated ranges by
     */
    public static boolean losesRanges(NodeId id, Ring after, Ring... before) {
        int total = after.tokens.length;
        for (Ring ring : before) {
            total += ring.tokens.length;
        }
        long[] bounds = new long[total];
        int k = 0;
        for (Ring ring : before) {
            System.arraycopy(ring.tokens, 0, bounds, k, ring.tokens.length);
            k += ring.tokens.length;
        }
        System.arraycopy(after.tokens, 0, bounds, k, after.tokens.length);
        Arrays.sort(bounds);
        for (int i = 0; i < bounds.length; i++) {
            if (i > 0 && bounds[i] == bounds[i - 1]) {
                continue;
            }
            long token = bounds[i];
            if (after.replicates(id, token)) {
                continue;
            }
            for (Ring ring : before) {
                if (ring.replicates(id, token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the first replica of {@code token}'s range */
    public Node primary(long token) {
        return nodes[owners[tokenIndexFor(token)]];
    }

    /**
     * Points {@code cursor} at the preference list of {@code token}'s range, allocation-free.
     *
     * @return {@code cursor}
     */
    public PreferenceList.Cursor lookup(long token, PreferenceList.Cursor cursor) {
        return cursor.wrap(this, tokenIndexFor(token));
    }

    /** @return the preference list of {@code token}'s range (allocates; use {@link #lookup} on hot paths) */
    public PreferenceList preferenceList(long token) {
        int tokenIndex = tokenIndexFor(token);
        Node[] list = new Node[replicaCount];
        for (int i = 0; i < replicaCount; i++) {
            list[i] = nodes[replicaNodeIndex(tokenIndex, i)];
        }
        return new PreferenceList(rangeAt(tokenIndex), List.of(list));
    }

    /** @return the preference list of {@code key}'s range (allocates) */
    public PreferenceList preferenceList(Key key) {
        return preferenceList(Partitioner.token(key));
    }

    /** @return the range that ends at token {@code tokenIndex}: {@code (previous token, token]} */
    public TokenRange rangeAt(int tokenIndex) {
        int previous = tokenIndex == 0 ? tokens.length - 1 : tokenIndex - 1;
        return new TokenRange(tokens[previous], tokens[tokenIndex]);
    }

    /** @return every primary range in token order; together they cover the ring once */
    public List<TokenRange> ranges() {
        List<TokenRange> ranges = new ArrayList<>(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            ranges.add(rangeAt(i));
        }
        return List.copyOf(ranges);
    }

    /**
     * @return the ranges node {@code id} is primary replica of, in token order
     * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the node is not on the ring
     */
    public List<TokenRange> rangesOf(NodeId id) {
        int index = requireIndex(id);
        List<TokenRange> ranges = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if (owners[i] == index) {
                ranges.add(rangeAt(i));
            }
        }
        return List.copyOf(ranges);
    }

    /** @return per node (in {@link NodeId} order) the fraction of the ring it is primary replica of; sums to 1 */
    public Map<NodeId, Double> primaryOwnership() {
        return byNode(Ownership.primary(tokens, owners, nodes.length));
    }

    /**
     * @return per node (in {@link NodeId} order) the fraction of the ring it holds a replica of; sums to
     *     {@link #replicaCount()}
     */
    public Map<NodeId, Double> replicatedOwnership() {
        return byNode(Ownership.replicated(tokens, replicas, replicaCount, nodes.length));
    }

    /**
     * @return a 64-bit digest of the nodes and their tokens: each node's id, zone and rack, and every token with its
     *     owner (not addresses, nor the replication factor, which each node is configured with). Equal rings have
     *     equal fingerprints; nodes compare them to tell whether a peer has judged the ring they hold.
     */
    public long fingerprint() {
        long hash = mix(nodes.length);
        for (Node node : nodes) {
            hash = mix(hash ^ node.id().value().hashCode());
            hash = mix(hash ^ node.zone().hashCode());
            hash = mix(hash ^ node.rack().hashCode());
        }
        for (int i = 0; i < tokens.length; i++) {
            hash = mix(hash ^ tokens[i]);
            hash = mix(hash ^ owners[i]);
        }
        return hash;
    }

    /** SplitMix64's finalizer: every input bit moves about half the output bits. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Ring ring
            && replicationFactor == ring.replicationFactor
            && Arrays.equals(nodes, ring.nodes)
            && Arrays.equals(tokens, ring.tokens)
            && Arrays.equals(owners, ring.owners);
    }

    @Override
    public int hashCode() {
        return Objects.hash(replicationFactor, Arrays.hashCode(nodes), Arrays.hashCode(tokens));
    }

    @Override
    public String toString() {
        return "Ring[nodes=" + nodes.length + ", tokens=" + tokens.length + ", rf=" + replicationFactor + "]";
    }

    private Map<NodeId, Double> byNode(double[] shares) {
        Map<NodeId, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < nodes.length; i++) {
            map.put(nodes[i].id(), shares[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    private int requireIndex(NodeId id) {
        int index = indexOf(id);
        if (index < 0) {
            throw invalid("node " + id + " is not on the ring");
        }
        return index;
    }

    private static void checkReplicationFactor(int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > MAX_REPLICATION_FACTOR) {
            throw invalid("replication factor must be 1–" + MAX_REPLICATION_FACTOR + ", was " + replicationFactor);
        }
    }

    private static int[] domainIndexes(Node[] nodes) {
        Map<String, Integer> indexes = new HashMap<>();
        int[] domainOf = new int[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            Integer known = indexes.putIfAbsent(nodes[i].failureDomain(), indexes.size());
            domainOf[i] = known == null ? indexes.size() - 1 : known;
        }
        return domainOf;
    }

    private static int distinctCount(int[] domainOf) {
        int max = -1;
        for (int domain : domainOf) {
            max = Math.max(max, domain);
        }
        return max + 1;
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_ARGUMENT, message);
    }

    /** Collects nodes with their tokens and builds a {@link Ring} in one pass; not thread-safe. */
    public static final class Builder {
        private int replicationFactor = DEFAULT_REPLICATION_FACTOR;
        private final Map<NodeId, Node> nodesById = new HashMap<>();
        private final Map<NodeId, long[]> tokensById = new HashMap<>();

        private Builder() {
        }

        /**
         * @return this builder, set to keep preference lists of up to {@code value} nodes
         * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} unless 1 &lt;= value &lt;= 16
         */
        public Builder replicationFactor(int value) {
            checkReplicationFactor(value);
            this.replicationFactor = value;
            return this;
        }

        /**
         * @return this builder, with {@code node} owning {@code nodeTokens}
         * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when the node was added before or has no
         *     tokens
         */
        public Builder add(Node node, long... nodeTokens) {
            if (nodesById.putIfAbsent(node.id(), node) != null) {
                throw invalid("node " + node.id() + " is added twice");
            }
            if (nodeTokens.length == 0) {
                throw invalid("node " + node.id() + " needs at least one token");
            }
            tokensById.put(node.id(), nodeTokens.clone());
            return this;
        }

        /**
         * @return the ring
         * @throws KvException with {@link ErrorCode#INVALID_ARGUMENT} when two tokens are equal (naming both
         *     owners) or a token is {@code Long.MIN_VALUE}
         */
        public Ring build() {
            Node[] sorted = nodesById.values().toArray(Node[]::new);
            Arrays.sort(sorted, BY_ID);
            long[] all = sortedTokens(sorted);
            int[] owners = new int[all.length];
            for (int n = 0; n < sorted.length; n++) {
                for (long token : tokensById.get(sorted[n].id())) {
                    owners[Arrays.binarySearch(all, token)] = n;
                }
            }
            return new Ring(replicationFactor, sorted, all, owners);
        }

        private long[] sortedTokens(Node[] sorted) {
            long[] all = new long[tokensById.values().stream().mapToInt(t -> t.length).sum()];
            int k = 0;
            for (Node node : sorted) {
                for (long token : tokensById.get(node.id())) {
                    TokenArrays.checkToken(node.id().value(), token);
                    all[k++] = token;
                }
            }
            Arrays.sort(all);
            for (int i = 1; i < all.length; i++) {
                if (all[i] == all[i - 1]) {
                    throw invalid("token " + all[i] + " is claimed twice, by " + ownersOf(all[i]));
                }
            }
            return all;
        }

        private List<NodeId> ownersOf(long token) {
            List<NodeId> claimants = new ArrayList<>();
            tokensById.forEach((id, list) -> {
                for (long t : list) {
                    if (t == token) {
                        claimants.add(id);
                    }
                }
            });
            claimants.sort(Comparator.naturalOrder());
            return claimants;
        }
    }
}

package io.ringkv.antientropy;

import io.ringkv.api.NodeId;
import io.ringkv.ring.PreferenceList;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenRange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which ranges move when the ring changes, and between which nodes: the sessions a {@link RangeStreamer} runs.
 * Pure functions of the two rings.
 *
 * <p>The token ring is cut at every token of either ring, so that each piece has one set of replicas in each. A
 * joining node takes each piece it replicates in the future ring and not now from <em>every</em> current replica
 * of it (a write acknowledged by W of N replicas may be missing from any one of them; the first session moves the
 * piece, the others only what differs). A leaving node hands each piece it replicates now to every replica the
 * piece gains in the future ring. Only the pieces whose replicas change move, so a join moves about the share of
 * data the new node will hold.
 */
public final class StreamPlan {
    private StreamPlan() {
    }

    /** One session: {@code range} with {@code peer}. */
    public record Task(TokenRange range, NodeId peer) {
    }

    /**
     * @return the sessions that bring {@code self} every range it replicates in {@code future} and not in
     *     {@code current}, each with every current replica of the range; empty when {@code current} is empty (the
     *     first node has nothing to take). Also every range it replicates once only its own move is done: the
     *     future ring holds every node joining now, and one that joins with this node may never finish (it crashed,
     *     or is removed), or finish later, while this one serves its ranges as NORMAL from its move's end
     */
    public static List<Task> joining(Ring current, Ring future, NodeId self) {
        List<Task> tasks = new ArrayList<>();
        if (current.isEmpty()) {
            return tasks;
        }
        Ring alone = withOnlyTheMoveOf(current, future, self);
        for (TokenRange piece : pieces(current, future)) {
            Set<NodeId> now = replicas(current, piece);
            if ((replicas(future, piece).contains(self) || replicas(alone, piece).contains(self))
                && !now.contains(self)) {
                for (NodeId peer : now) {
                    tasks.add(new Task(piece, peer));
                }
            }
        }
        return tasks;
    }

    /**
     * @return the sessions that hand every range {@code self} replicates in {@code current} to each replica it
     *     gains in {@code future} (where {@code self} no longer is), and to each it gains once only this node is
     *     gone (the future ring holds the nodes joining now, which may never finish, or finish after this node left)
     */
    public static List<Task> leaving(Ring current, Ring future, NodeId self) {
        List<Task> tasks = new ArrayList<>();
        if (future.isEmpty()) {
            return tasks;
        }
        // the ring once only this node is gone; none while the future ring still holds it (it is not leaving)
        Ring alone = current.contains(self) && !future.contains(self) ? current.withoutNode(self) : future;
        for (TokenRange piece : pieces(current, future)) {
            Set<NodeId> now = replicas(current, piece);
            if (!now.contains(self)) {
                continue;
            }
            Set<NodeId> gaining = replicas(future, piece);
            if (!alone.isEmpty()) {
                gaining.addAll(replicas(alone, piece));
            }
            for (NodeId next : gaining) {
                if (!now.contains(next) && !next.equals(self) && future.contains(next)) {
                    tasks.add(new Task(piece, next));
                }
            }
        }
        return tasks;
    }

    /**
     * @return {@code current} with only {@code self}'s move done: {@code self} added with its tokens in
     *     {@code future}, and a node whose tokens it takes over (the one it replaces) gone; {@code future} when
     *     {@code self} is not in it or already in {@code current}
     */
    static Ring withOnlyTheMoveOf(Ring current, Ring future, NodeId self) {
        if (!future.contains(self) || current.contains(self)) {
            return future;
        }
        long[] tokens = future.tokensOf(self);
        Ring ring = current;
        for (long token : tokens) {
            if (ring.hasToken(token)) {
                NodeId replaced = ring.node(ring.ownerIndex(ring.tokenIndexFor(token))).id();
                ring = ring.withoutNode(replaced);
            }
        }
        return ring.withNode(future.node(future.indexOf(self)), tokens);
    }

    /** @return the ring cut at every token of either ring, in token order */
    static List<TokenRange> pieces(Ring current, Ring future) {
        TreeSet<Long> tokens = new TreeSet<>();
        for (Ring ring : new Ring[] {current, future}) {
            for (int i = 0; i < ring.tokenCount(); i++) {
                tokens.add(ring.token(i));
            }
        }
        List<TokenRange> pieces = new ArrayList<>(tokens.size());
        if (tokens.size() == 1) {
            pieces.add(TokenRange.wholeRing());
            return pieces;
        }
        long previous = tokens.last();
        for (long token : tokens) {
            pieces.add(new TokenRange(previous, token));
            previous = token;
        }
        return pieces;
    }

    /** @return the replicas of every token of {@code piece} (it lies within one range of {@code ring}) */
    private static Set<NodeId> replicas(Ring ring, TokenRange piece) {
        if (ring.isEmpty()) {
            return new HashSet<>();
        }
        PreferenceList list = ring.preferenceList(piece.end());
        Set<NodeId> replicas = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            replicas.add(list.get(i).id());
        }
        return replicas;
    }
}

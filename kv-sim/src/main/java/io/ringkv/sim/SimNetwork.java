package io.ringkv.sim;

import io.ringkv.api.NodeId;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The faults of the simulated network, changeable at any virtual time: latency, loss, duplication, blocked links (a
 * partition blocks every link between two sides; a one-way block only one direction), and losses aimed at chosen
 * messages. Reordering comes from latency spread: two messages on one link arrive out of order when the second draws
 * a shorter delay.
 */
public final class SimNetwork {
    private LatencyModel latency = LatencyModel.uniform(100_000, 1_000_000);
    private double dropRate;
    private double duplicateRate;
    private int linkCapacity = 10_000;
    private final Set<Link> blocked = new HashSet<>();
    private MessageFilter dropping;

    /** Picks messages to lose on purpose (a fault aimed at one kind of message), see {@link #dropWhen}. */
    @FunctionalInterface
    public interface MessageFilter {
        /** @return true to lose the message {@code from} sends {@code to} (the bytes it sent; do not keep them) */
        boolean drop(NodeId from, NodeId to, byte[] message);
    }

    SimNetwork() {
    }

    /** A directed link. */
    record Link(NodeId from, NodeId to) {
    }

    /** Sets how long messages take; default uniform 0.1–1 ms. */
    public SimNetwork latency(LatencyModel model) {
        this.latency = java.util.Objects.requireNonNull(model, "model");
        return this;
    }

    /** Sets the probability, 0 to 1, that a message is lost. */
    public SimNetwork dropRate(double rate) {
        this.dropRate = probability("drop rate", rate);
        return this;
    }

    /** Sets the probability, 0 to 1, that a message is delivered twice. */
    public SimNetwork duplicateRate(double rate) {
        this.duplicateRate = probability("duplicate rate", rate);
        return this;
    }

    /** Sets how many messages may be in flight on one link before sends report back-pressure. */
    public SimNetwork linkCapacity(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("link capacity must be at least 1, was " + messages);
        }
        this.linkCapacity = messages;
        return this;
    }

    /** Blocks messages from {@code from} to {@code to} only (a one-way partition). */
    public SimNetwork block(NodeId from, NodeId to) {
        blocked.add(new Link(from, to));
        return this;
    }

    /** Blocks every link, both ways, between a node in {@code side} and a node in {@code others}. */
    public SimNetwork partition(Collection<NodeId> side, Collection<NodeId> others) {
        for (NodeId a : side) {
            for (NodeId b : others) {
                if (!a.equals(b)) {
                    blocked.add(new Link(a, b));
                    blocked.add(new Link(b, a));
                }
            }
        }
        return this;
    }

    /**
     * Loses every message {@code filter} picks, before loss and duplication are drawn (counted as dropped), until it
     * is replaced; null stops it.
     */
    public SimNetwork dropWhen(MessageFilter filter) {
        this.dropping = filter;
        return this;
    }

    /** Unblocks every link. */
    public SimNetwork heal() {
        blocked.clear();
        return this;
    }

    LatencyModel latency() {
        return latency;
    }

    double dropRate() {
        return dropRate;
    }

    double duplicateRate() {
        return duplicateRate;
    }

    int linkCapacity() {
        return linkCapacity;
    }

    boolean dropsOnPurpose(NodeId from, NodeId to, byte[] message) {
        return dropping != null && dropping.drop(from, to, message);
    }

    boolean isBlocked(NodeId from, NodeId to) {
        return !blocked.isEmpty() && blocked.contains(new Link(from, to));
    }

    private static double probability(String what, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " must be between 0 and 1, was " + rate);
        }
        return rate;
    }
}

package io.ringkv.gossip;

import io.ringkv.api.Node;
import io.ringkv.api.NodeId;
import io.ringkv.ring.TokenAllocators;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * What the cluster knows about one node, as the node itself last published it: its addresses and failure domain
 * ({@link Node}), generation, heartbeat version, status, tokens, protocol version and a small map of application
 * state. Immutable.
 *
 * <p>{@code generation} changes on every restart, so a restarted node's fresh heartbeats are not mistaken for old
 * ones; {@code version} grows with every heartbeat and every change within a generation. {@code stateVersion} is the
 * version of the last change to anything but the heartbeat: a peer that already holds version {@code stateVersion}
 * or later of this generation needs only the new version number, not the whole state, which keeps a stable
 * cluster's gossip small.
 */
public final class EndpointState {
    /** The gossip protocol version this code speaks; announced by every node. */
    public static final int PROTOCOL_VERSION = 1;
    /**
     * The version a removal starts at. A removal is final for its generation, so its state must outrank every copy
     * of that generation, including a fresher heartbeat held by a peer that was cut off when the node was removed.
     * A node beating once a second would need over 10^11 years to reach it.
     */
    public static final long REMOVED_VERSION = 1L << 62;
    /**
     * Versions of a state that is not LEFT stay below this (2^61), far under {@link #REMOVED_VERSION}, so no
     * heartbeat outranks a removal and no counter can overflow; a peer's state above it is refused as implausible.
     */
    public static final long MAX_LIVE_VERSION = 1L << 61;
    /** Versions of a removed (LEFT) state stay below this (2^62 + 2^61), leaving room to beat without overflow. */
    public static final long MAX_VERSION = REMOVED_VERSION + MAX_LIVE_VERSION;
    /** The most application values a state may carry. */
    public static final int MAX_APPLICATION_VALUES = 32;
    private static final int MAX_APPLICATION_VALUE_LENGTH = 255;
    private static final java.util.regex.Pattern APPLICATION_KEY = java.util.regex.Pattern.compile("[a-z0-9_.-]{1,32}");

    private final Node node;
    private final long generation;
    private final long version;
    private final long stateVersion;
    private final NodeStatus status;
    private final long[] tokens;
    private final Map<String, String> applicationState;
    private final int protocolVersion;
    private final long fingerprint;

    private EndpointState(Node node, long generation, long version, long stateVersion, NodeStatus status,
                          long[] tokens, Map<String, String> applicationState, int protocolVersion) {
        this(node, generation, version, stateVersion, status, tokens, applicationState, protocolVersion,
            node.id().fingerprint());
    }

    private EndpointState(Node node, long generation, long version, long stateVersion, NodeStatus status,
                          long[] tokens, Map<String, String> applicationState, int protocolVersion,
                          long fingerprint) {
        this.node = node;
        this.generation = generation;
        this.version = version;
        this.stateVersion = stateVersion;
        this.status = status;
        this.tokens = tokens;
        this.applicationState = applicationState;
        this.protocolVersion = protocolVersion;
        this.fingerprint = fingerprint;
    }

    /**
     * A node's first state in a generation: version 1.
     *
     * @param node the node and its addresses
     * @param generation greater after every restart (e.g. start time in seconds), positive
     * @param status announced status
     * @param tokens ring tokens (copied)
     * @param applicationState small named values (copied)
     * @return the state
     */
    public static EndpointState initial(Node node, long generation, NodeStatus status, long[] tokens,
                                        Map<String, String> applicationState) {
        return of(node, generation, 1, 1, status, tokens, applicationState, PROTOCOL_VERSION);
    }

    /**
     * A state as received from a peer, validated.
     *
     * @throws IllegalArgumentException when the generation is not positive, the versions are inconsistent or beyond
     *     {@link #MAX_LIVE_VERSION} ({@link #MAX_VERSION} when LEFT), there are more than
     *     {@link TokenAllocators#MAX_VNODES} tokens, or an application value breaks the rules of
     *     {@link #withApplicationState}
     */
    public static EndpointState of(Node node, long generation, long version, long stateVersion, NodeStatus status,
                                   long[] tokens, Map<String, String> applicationState, int protocolVersion) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(status, "status");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be positive, was " + generation);
        }
        if (stateVersion < 1 || version < stateVersion) {
            throw new IllegalArgumentException("state version must be 1 to version, was " + stateVersion + " of "
                + version);
        }
        long limit = versionLimit(status);
        if (version >= limit) {
            throw new IllegalArgumentException("version " + version + " of a " + status + " state is not below "
                + limit);
        }
        if (tokens.length > TokenAllocators.MAX_VNODES) {
            throw new IllegalArgumentException(tokens.length + " tokens, more than " + TokenAllocators.MAX_VNODES);
        }
        if (applicationState.size() > MAX_APPLICATION_VALUES) {
            throw new IllegalArgumentException(applicationState.size() + " application values, more than "
                + MAX_APPLICATION_VALUES);
        }
        applicationState.forEach(EndpointState::checkApplicationValue);
        return new EndpointState(node, generation, version, stateVersion, status, tokens.clone(),
            Map.copyOf(applicationState), protocolVersion);
    }

    /** @return the node and its addresses */
    public Node node() {
        return node;
    }

    /** @return the node's id */
    public NodeId id() {
        return node.id();
    }

    /** @return the fingerprint of the node's id, as gossip names it on the wire */
    public long fingerprint() {
        return fingerprint;
    }

    /** @return greater after every restart */
    public long generation() {
        return generation;
    }

    /** @return heartbeat and change counter within the generation */
    public long version() {
        return version;
    }

    /** @return the version of the last change to anything but the heartbeat */
    public long stateVersion() {
        return stateVersion;
    }

    /** @return the announced status */
    public NodeStatus status() {
        return status;
    }

    /** @return a copy of the ring tokens */
    public long[] tokens() {
        return tokens.clone();
    }

    /** @return how many tokens the node owns */
    public int tokenCount() {
        return tokens.length;
    }

    /** @return whether this is a member of the ring holding tokens: NORMAL, or LEAVING with them */
    public boolean heldTokensAsMember() {
        return tokens.length > 0 && (status == NodeStatus.NORMAL || status == NodeStatus.LEAVING);
    }

    /** @return small named values (load, data size...) */
    public Map<String, String> applicationState() {
        return applicationState;
    }

    /** @return the gossip protocol version the node speaks */
    public int protocolVersion() {
        return protocolVersion;
    }

    /** @return the bound every version of this state stays below: {@link #MAX_VERSION} when LEFT, else {@link #MAX_LIVE_VERSION} */
    public long versionLimit() {
        return versionLimit(status);
    }

    /** @return the bound every version of a state with {@code status} stays below */
    public static long versionLimit(NodeStatus status) {
        return status == NodeStatus.LEFT ? MAX_VERSION : MAX_LIVE_VERSION;
    }

    /** @return true when this state is newer than one at ({@code otherGeneration}, {@code otherVersion}) */
    public boolean isNewerThan(long otherGeneration, long otherVersion) {
        return generation != otherGeneration ? generation > otherGeneration : version > otherVersion;
    }

    /**
     * @return true when a peer holding ({@code otherGeneration}, {@code otherVersion}) already has everything of
     *     this state but possibly the heartbeat version
     */
    public boolean contentKnownAt(long otherGeneration, long otherVersion) {
        return generation == otherGeneration && otherVersion >= stateVersion;
    }

    /** @return this state with the next version: a heartbeat */
    public EndpointState beat() {
        return withVersion(version + 1);
    }

    /**
     * @return this state at heartbeat {@code newVersion}, its content unchanged
     * @throws IllegalArgumentException when {@code newVersion} precedes the state version or is not below
     *     {@link #MAX_VERSION}
     */
    public EndpointState withVersion(long newVersion) {
        if (newVersion < stateVersion || newVersion >= MAX_VERSION) {
            throw new IllegalArgumentException("version " + newVersion + " is not between state version "
                + stateVersion + " and " + MAX_VERSION);
        }
        return new EndpointState(node, generation, newVersion, stateVersion, status, tokens, applicationState,
            protocolVersion, fingerprint);
    }

    /** @return this state with another status, at the next version */
    public EndpointState withStatus(NodeStatus newStatus) {
        return changed(node, Objects.requireNonNull(newStatus), tokens, applicationState);
    }

    /**
     * @return this state as removed by an operator: LEFT, at a version no heartbeat of this generation can reach
     *     ({@link #REMOVED_VERSION} or above)
     */
    public EndpointState removed() {
        long removedVersion = Math.max(version + 1, REMOVED_VERSION);
        return new EndpointState(node, generation, removedVersion, removedVersion, NodeStatus.LEFT, tokens,
            applicationState, protocolVersion, fingerprint);
    }

    /** @return this state with other tokens (copied), at the next version */
    public EndpointState withTokens(long[] newTokens) {
        return changed(node, status, newTokens.clone(), applicationState);
    }

    /**
     * @return this state with one application value set, at the next version
     * @throws IllegalArgumentException when the key is not 1–32 characters of [a-z0-9_.-], the value is longer
     *     than 255 characters or holds a control character (a line break), or the state would carry more than
     *     {@link #MAX_APPLICATION_VALUES} values
     */
    public EndpointState withApplicationState(String key, String value) {
        checkApplicationValue(key, value);
        Map<String, String> copy = new java.util.TreeMap<>(applicationState);
        copy.put(key, value);
        if (copy.size() > MAX_APPLICATION_VALUES) {
            throw new IllegalArgumentException("a state carries at most " + MAX_APPLICATION_VALUES
                + " application values");
        }
        return changed(node, status, tokens, Map.copyOf(copy));
    }

    private static void checkApplicationValue(String key, String value) {
        if (!APPLICATION_KEY.matcher(key).matches() || value.length() > MAX_APPLICATION_VALUE_LENGTH
            || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("application state needs a key of 1–32 characters of [a-z0-9_.-] and"
                + " a value of at most " + MAX_APPLICATION_VALUE_LENGTH + " characters without control characters,"
                + " was '" + key + "'");
        }
    }

    private EndpointState changed(Node newNode, NodeStatus newStatus, long[] newTokens, Map<String, String> app) {
        return new EndpointState(newNode, generation, version + 1, version + 1, newStatus, newTokens, app,
            protocolVersion, fingerprint);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EndpointState that && node.equals(that.node) && generation == that.generation
            && version == that.version && stateVersion == that.stateVersion && status == that.status
            && Arrays.equals(tokens, that.tokens) && applicationState.equals(that.applicationState)
            && protocolVersion == that.protocolVersion;
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, generation, version, stateVersion, status, Arrays.hashCode(tokens),
            applicationState);
    }

    @Override
    public String toString() {
        return "EndpointState[" + node.id() + " gen " + generation + " v" + version + " (state v" + stateVersion
            + ") " + status + ", " + tokens.length + " tokens]";
    }
}

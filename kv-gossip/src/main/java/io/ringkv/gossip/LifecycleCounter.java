package io.ringkv.gossip;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/**
 * What a node's join, leave or replacement retried or refused, in the node's counter registry (INFO section
 * {@code cluster}).
 */
public enum LifecycleCounter implements CounterDescriptor {
    TOKEN_CONFLICTS("lifecycle_token_conflicts",
        "times another node (with a smaller id) claimed a token this node had picked; this node picked again"),
    MOVE_RETRIES("lifecycle_move_retries", "joins and leaves whose range move gave up and was tried again"),
    MOVE_REPLANS("lifecycle_move_replans",
        "joins and leaves whose range move was planned again because a node it moved data with left the ring"),
    STORE_FAILURES("lifecycle_token_store_failures",
        "times this node's tokens could not be stored; the join was tried again"),
    MEMBERS_BACK_WITHOUT_TOKENS("lifecycle_members_back_without_tokens", "times another member that held tokens was"
        + " seen in a later run without them (its data directory lost or replaced, most likely): the ranges it held"
        + " lack a copy until repair has run"),
    LATER_RUNS_OF_THIS_ID("lifecycle_later_runs_of_this_id", "runs of this node's id later than this one that peers"
        + " hold: another process runs with this id, or this run's clock was behind; peers ignore this run"),
    REMOVED_WHILE_DOWN("lifecycle_removed_while_down", "starts on data that held tokens whose id the cluster had"
        + " removed meanwhile (ringkv removenode, or a replacement): this node dropped its records and joined as a"
        + " new node; or, having rejoined with its tokens when no member answered, it learned of the removal later"
        + " and logged an ERROR (move its data directory away and start it again)"),
    JOIN_REFUSED("lifecycle_join_refused", "1 while this node refuses to join (its log says why): its id was a"
        + " member holding tokens and its data never held them (the member's data directory lost or replaced;"
        + " ringkv removenode on another member lets it join as a new node), peers hold a later run of its id, or it was"
        + " removed while it was down and the records of that run could not be dropped yet",
        CounterKind.GAUGE);

    private final CounterSpec spec;

    LifecycleCounter(String counterName, String help) {
        this(counterName, help, CounterKind.COUNTER);
    }

    LifecycleCounter(String counterName, String help, CounterKind kind) {
        this.spec = new CounterSpec(counterName, help, kind, "cluster");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}

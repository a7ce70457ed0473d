package io.ringkv.node.service;

import io.ringkv.api.Consistency;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.Version;
import io.ringkv.node.runtime.AgentInbox;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.replication.Coordinator;
import io.ringkv.replication.ScanCallback;
import io.ringkv.replication.ScanCoordinator;
import io.ringkv.replication.ScanCursor;
import io.ringkv.replication.GetCallback;
import io.ringkv.replication.PutCallback;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The front door's view of the cluster. Calls made during one wake-up of the front door are collected and handed
 * to the node's agent thread in one offer at {@link #flush()}; there each runs the replication coordinator, and
 * the coordinator's answers go back to the front door in one delivery per agent cycle. A full agent inbox answers
 * the whole batch at once with {@code UNAVAILABLE} (counted as {@link HandOffCounter#AGENT_QUEUE_FULL}) rather
 * than blocking the front door.
 *
 * <p>SET and DEL are blind: one coordinator write without a context, whose coordinating replica supersedes what it
 * holds (no quorum read first). One instance serves one front door thread.
 */
public final class ReplicatedKeyValueService implements KeyValueService {
    private static final String OVERLOADED = "node is overloaded: its request queue is full; retry later";

    private final AgentProxy agent;
    private final FrontDoorProxy frontDoors;
    private final Coordinator coordinator;
    private final Consumer<NodeId> removeNode;
    /** Node operations by name ({@code repair}, {@code decommission}), run on the agent thread. */
    private final java.util.Map<String, java.util.function.Function<List<String>, String>> operations =
        new java.util.HashMap<>();
    private final ScanCoordinator scans;
    /** Any thread: the cluster's key count estimate, or null when this node does not know one. */
    private volatile java.util.function.LongSupplier keyEstimate;
    /** Front door thread: the calls since the last flush. */
    private List<Call> batch = new ArrayList<>();

    /** One call and the answer it owes, for the agent to start and the front door to refuse. */
    private record Call(Answer<?> answer, Runnable start) {
    }

    /**
     * @param agent the node's agent, whose thread owns the coordinator; the service answers at the end of each of
     *     its duty cycles
     * @param coordinator the replication coordinator
     * @param removeNode marks a DOWN node removed, on the agent thread; throws {@code KvException} saying why not
     * @param counters the node's hand-off counters, shared by every front door's service
     */
    public ReplicatedKeyValueService(NodeAgent agent, Coordinator coordinator, Consumer<NodeId> removeNode,
                                     CounterSet<HandOffCounter> counters) {
        this(agent, coordinator, null, removeNode, counters);
    }

    /** As the constructor without {@code scans}, answering SCAN through {@code scans} (null: SCAN is refused). */
    public ReplicatedKeyValueService(NodeAgent agent, Coordinator coordinator, ScanCoordinator scans,
                                     Consumer<NodeId> removeNode, CounterSet<HandOffCounter> counters) {
        this(agent.inbox(), coordinator, scans, removeNode, counters);
        agent.atCycleEnd(this::deliverAnswers);
    }

    /**
     * A service over an inbox alone; whoever drains it must call {@link #deliverAnswers()} after each drain.
     */
    /**
     * Sets what a node operation ({@code REPAIR}, {@code DECOMMISSION}) runs, on the agent thread: given the
     * command's arguments, it starts the operation and says what started, or throws {@code KvException} saying why
     * not (bad arguments included). Before the service takes requests.
     */
    public void operation(String name, java.util.function.Function<List<String>, String> start) {
        operations.put(name, start);
    }

    public ReplicatedKeyValueService(AgentInbox inbox, Coordinator coordinator, Consumer<NodeId> removeNode,
                                     CounterSet<HandOffCounter> counters) {
        this(inbox, coordinator, null, removeNode, counters);
    }

    /** A service over an inbox alone that also answers SCAN through {@code scans} (null: SCAN is refused). */
    public ReplicatedKeyValueService(AgentInbox inbox, Coordinator coordinator, ScanCoordinator scans,
                                     Consumer<NodeId> removeNode, CounterSet<HandOffCounter> counters) {
        this.scans = scans;
        this.agent = new AgentProxy(inbox, counters.get(HandOffCounter.AGENT_QUEUE_FULL));
        this.frontDoors = new FrontDoorProxy(counters.get(HandOffCounter.FRONT_DOOR_QUEUE_FULL));
        this.coordinator = coordinator;
        this.removeNode = removeNode;
    }

    @Override
    public void get(Key key, Consistency consistency, Answer<Optional<Value>> answer) {
        read(key, consistency, answer, siblings -> siblings.isEmpty() || siblings.isDeleted() ? Optional.empty()
            : Optional.ofNullable(siblings.newest().value()));
    }

    @Override
    public void getVersions(Key key, Consistency consistency, Answer<Siblings> answer) {
        read(key, consistency, answer, siblings -> siblings.isEmpty() ? Siblings.NONE
            : new Siblings(CausalContext.of(siblings.context().toBytes()), siblings.values()));
    }

    @Override
    public void put(Key key, Value value, CausalContext context, Consistency consistency, Answer<Void> answer) {
        put(key, value, context, Expiry.NONE, consistency, answer);
    }

    @Override
    public void put(Key key, Value value, CausalContext context, Expiry expiry, Consistency consistency,
                    Answer<Void> answer) {
        io.ringkv.api.CausalContext causal;
        if (context.isBlind()) {
            // no read first: the coordinating replica supersedes whatever versions it holds
            causal = null;
        } else if (context.isEmpty()) {
            // SETV with the context of an absent key: it saw nothing and supersedes nothing
            causal = io.ringkv.api.CausalContext.EMPTY;
        } else {
            try {
                causal = io.ringkv.api.CausalContext.fromBytes(context.toByteArray());
            } catch (KvException e) {
                answer.failed(e);
                return;
            }
        }
        batch.add(new Call(answer, () -> coordinator.put(key, value, expiry, causal, consistency,
            written(answer, supersededLive -> null))));
    }

    /** The expiry of the value {@link #get} answers: the newest sibling's, when it is live. */
    @Override
    public void expiry(Key key, Consistency consistency, Answer<Long> answer) {
        read(key, consistency, answer, siblings -> {
            io.ringkv.api.Versioned newest = siblings.newest();
            if (newest == null || newest.isTombstone()) {
                return -2L;
            }
            return newest.version().expires() ? newest.version().expiresAtMillis() : -1L;
        });
    }

    @Override
    public void changeExpiry(Key key, Expiry expiry, Expiry.Condition condition, Consistency consistency,
                             Answer<ExpiryChanged> answer) {
        batch.add(new Call(answer, () -> coordinator.changeExpiry(key, expiry, condition, consistency,
            new io.ringkv.replication.ExpiryCallback() {
                @Override
                public void onSuccess(Value value, boolean changed) {
                    frontDoors.succeeded(answer, new ExpiryChanged(Optional.ofNullable(value), changed));
                }

                @Override
                public void onFailure(ErrorCode code, String message) {
                    frontDoors.failed(answer, new KvException(code, message));
                }
            })));
    }

    /** A blind delete: the coordinating replica says whether it held a live value, which DEL counts. */
    @Override
    public void delete(Key key, Consistency consistency, Answer<Boolean> answer) {
        batch.add(new Call(answer, () -> coordinator.delete(key, null, consistency,
            written(answer, supersededLive -> supersededLive))));
    }

    /**
     * Sets where DBSIZE's estimate comes from (any thread; e.g. the gossiped record counts divided by N). Before the
     * service takes requests.
     */
    public void keyEstimate(java.util.function.LongSupplier estimate) {
        this.keyEstimate = estimate;
    }

    /** The cursor is checked here, on the front door's thread: a bad one never reaches the agent. */
    @Override
    public void scan(String cursor, int count, Answer<ScanResult> answer) {
        if (scans == null) {
            KeyValueService.super.scan(cursor, count, answer);
            return;
        }
        ScanCursor from;
        try {
            from = ScanCursor.parse(cursor, scans.limits());
        } catch (KvException e) {
            answer.failed(e);
            return;
        }
        batch.add(new Call(answer, () -> scans.scan(from, count, new ScanCallback() {
            @Override
            public void onSuccess(io.ringkv.replication.ScanPage page) {
                // the cursor is encoded on the front door's thread: a long last key makes a long number
                frontDoors.succeededWith(answer, () -> new ScanResult(page.next().encode(), page.keys()));
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                frontDoors.failed(answer, new KvException(code, message));
            }
        })));
    }

    /** Answered at once, on the calling thread: the estimate reads a snapshot safe from any thread. */
    @Override
    public void estimateKeys(Answer<Long> answer) {
        java.util.function.LongSupplier estimate = keyEstimate;
        if (estimate == null) {
            KeyValueService.super.estimateKeys(answer);
        } else {
            answer.succeeded(estimate.getAsLong());
        }
    }

    @Override
    public void removeNode(NodeId node, Answer<Void> answer) {
        batch.add(new Call(answer, () -> {
            try {
                removeNode.accept(node);
                frontDoors.succeeded(answer, null);
            } catch (KvException e) {
                frontDoors.failed(answer, e);
            }
        }));
    }

    @Override
    public void admin(String operation, List<String> arguments, Answer<String> answer) {
        java.util.function.Function<List<String>, String> start = operations.get(operation);
        if (start == null) {
            answer.failed(new KvException(io.ringkv.api.ErrorCode.INVALID_ARGUMENT, "this node does not run "
                + operation));
            return;
        }
        batch.add(new Call(answer, () -> {
            try {
                frontDoors.succeeded(answer, start.apply(arguments));
            } catch (KvException e) {
                frontDoors.failed(answer, e);
            }
        }));
    }

    /**
     * Hands the calls collected since the last flush to the agent in one offer; when its inbox is full, answers
     * every one of them {@code UNAVAILABLE} at once. Answering may make the front door call again, so it repeats
     * until no call is left.
     */
    @Override
    public void flush() {
        while (!batch.isEmpty()) {
            List<Call> calls = batch;
            batch = new ArrayList<>();
            if (!agent.runRequests(() -> start(calls))) {
                KvException overloaded = new KvException(ErrorCode.UNAVAILABLE, OVERLOADED);
                for (Call call : calls) {
                    call.answer().failed(overloaded);
                }
            }
        }
    }

    /**
     * Agent thread, at the end of each duty cycle: delivers the answers of the cycle to their front doors (a
     * batch a front door's full queue refuses is delivered at a later cycle, after the answers before it).
     *
     * @return answer batches delivered
     */
    public int deliverAnswers() {
        return frontDoors.deliverAll();
    }

    /** Agent thread: starts each call; one that throws before the coordinator tracks it is answered with that. */
    private void start(List<Call> calls) {
        for (Call call : calls) {
            try {
                call.start().run();
            } catch (RuntimeException e) {
                frontDoors.failed(call.answer(), e);
            }
        }
    }

    private <T> void read(Key key, Consistency consistency, Answer<T> answer, Function<SiblingSet, T> result) {
        batch.add(new Call(answer, () -> coordinator.get(key, consistency, new GetCallback() {
            @Override
            public void onSuccess(SiblingSet siblings) {
                frontDoors.succeeded(answer, result.apply(siblings));
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                frontDoors.failed(answer, new KvException(code, message));
            }
        })));
    }

    private <T> PutCallback written(Answer<T> answer, Function<Boolean, T> result) {
        return new PutCallback() {
            @Override
            public void onSuccess(Version written) {
                onSuccess(written, false);
            }

            @Override
            public void onSuccess(Version written, boolean supersededLive) {
                frontDoors.succeeded(answer, result.apply(supersededLive));
            }

            @Override
            public void onFailure(ErrorCode code, String message) {
                frontDoors.failed(answer, new KvException(code, message));
            }
        };
    }
}

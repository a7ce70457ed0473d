package io.ringkv.node;

import io.ringkv.antientropy.AntiEntropy;
import io.ringkv.antientropy.LiveTreeRebuilder;
import io.ringkv.antientropy.LiveTrees;
import io.ringkv.antientropy.RepairConfig;
import io.ringkv.antientropy.RangeStreamer;
import io.ringkv.antientropy.RepairHistory;
import io.ringkv.antientropy.RepairScheduler;
import io.ringkv.api.Consistency;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeContext;
import io.ringkv.api.NodeId;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.ProtectedMode;
import io.ringkv.node.auth.Users;
import io.ringkv.node.auth.UsersFile;
import io.ringkv.node.http.BasicAuth;
import io.ringkv.node.http.ClusterEndpoint;
import io.ringkv.node.http.DashboardEndpoint;
import io.ringkv.node.http.HealthEndpoint;
import io.ringkv.node.http.HttpCounter;
import io.ringkv.node.http.HttpFrontDoor;
import io.ringkv.node.http.KeyValueEndpoint;
import io.ringkv.node.http.NodeHttpServer;
import io.ringkv.node.http.OpenApiEndpoint;
import io.ringkv.node.membership.ClusterMembership;
import io.ringkv.node.metrics.NodeMetrics;
import io.ringkv.node.metrics.StatsAnnouncer;
import io.ringkv.node.membership.ClusterSnapshot;
import io.ringkv.node.membership.LeftoversFile;
import io.ringkv.node.membership.NodeState;
import io.ringkv.node.membership.PeersFile;
import io.ringkv.node.membership.PeersWriter;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.ScalingMonitor;
import io.ringkv.gossip.ScalingPolicy;
import io.ringkv.node.service.ReadinessGatedService;
import io.ringkv.node.resp.RespConfig;
import io.ringkv.node.resp.RespCounter;
import io.ringkv.node.resp.RespServer;
import io.ringkv.node.runtime.AdaptiveIdleStrategy;
import io.ringkv.node.runtime.EngineStage;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.node.runtime.NodeHealth;
import io.ringkv.node.service.HandOffCounter;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.ReplicatedKeyValueService;
import io.ringkv.node.transport.AeronTransport;
import io.ringkv.replication.Coordinator;
import io.ringkv.replication.LivenessView;
import io.ringkv.replication.Replication;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.ring.Ring;
import io.ringkv.storage.EngineConfig;
import io.ringkv.storage.StorageEngine;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * A running ringkv node: its agent thread with the transport, gossip membership and replication on it, the
 * storage engine, and the front doors on threads of their own: the Redis protocol's, and the HTTP key-value API's
 * on the HTTP endpoint.
 */
public final class RingkvNode implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;
    /** Replica reads and writes the storage stage holds at once; beyond it they are refused (and counted). */
    private static final int STORAGE_STAGE_CAPACITY = 16_384;
    /** Pause before a join's or leave's failed streaming sessions are tried again. */
    private static final long STREAM_RETRY_SECONDS = 5;
    /** Time between autoscaling measurements: short enough to follow traffic, long enough to average it. */
    private static final long SCALING_PERIOD_SECONDS = 5;
    /** Time between announcements of the dashboard's figures: the window of its request rate and p99. */
    private static final long STATS_PERIOD_SECONDS = 2;
    /** Hint writes, reads and deletes the hint stage holds at once. */
    private static final int HINT_STAGE_CAPACITY = 4_096;
    /** HTTP key-value requests the HTTP front door holds at once; beyond it they are answered 503 (and counted). */
    private static final int HTTP_QUEUE_CAPACITY = 1_024;

    private final NodeConfig config;
    private final NodeContext context;
    private final NodeAgent agent;
    private final AeronTransport transport;
    private final Consistency consistency;
    private final ReplicationConfig replicationConfig;
    private final StorageEngine engine;
    private final StorageEngine hintEngine;
    private final NodeHealth health;
    private final RepairHistory repairHistory;
    private final java.util.concurrent.CompletableFuture<String> left = new java.util.concurrent.CompletableFuture<>();
    private ClusterMembership membership;
    private AgentRunner runner;
    private Replication replication;
    private RespServer front;
    private NodeMetrics metrics;
    private NodeHttpServer http;
    private HttpFrontDoor httpFrontDoor;
    private StorageCounters storageCounters;
    private EngineStage storage;
    private EngineStage hintStage;
    private RepairScheduler repairs;
    private volatile ScalingMonitor scaling;
    private PeersWriter peersWriter;
    private Authenticator authenticator;

    @Inject
    RingkvNode(NodeConfig config, NodeContext context, NodeAgent agent, AeronTransport transport,
               Consistency consistency, ReplicationConfig replicationConfig, StorageEngine engine,
               @Named("hints") StorageEngine hintEngine, NodeHealth health, RepairHistory repairHistory) {
        this.repairHistory = repairHistory;
        this.config = config;
        this.context = context;
        this.agent = agent;
        this.transport = transport;
        this.consistency = consistency;
        this.replicationConfig = replicationConfig;
        this.engine = engine;
        this.hintEngine = hintEngine;
        this.health = health;
    }

    /**
     * Creates the data directory, takes a new generation, starts gossip (and the join), replication, the agent
     * thread and the front door.
     *
     * @param events receives one line per notable event (nodes learned, judged, restarted; agent errors)
     */
    public void start(Consumer<String> events) {
        authenticator = clientAuthentication();
        try {
            Files.createDirectories(config.dataDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDirectory(), e);
        }
        java.nio.file.Path parentDirectory = config.dataDirectory().toAbsolutePath().getParent();
        if (parentDirectory != null) {
            // the data directory's name made durable before anything in it is forced (node.state, the stores), at
            // every start: a first start may have died before it did; best effort (it may have been done long ago)
            try (java.nio.channels.FileChannel parent = java.nio.channels.FileChannel.open(parentDirectory,
                    java.nio.file.StandardOpenOption.READ)) {
                parent.force(true);
            } catch (IOException e) {
                events.accept("could not force the data directory's name into " + parentDirectory + ": " + e);
            }
        }
        NodeState state = NodeState.startNewGeneration(config.dataDirectory(), context.clock().wallClockMillis());
        // before anything is sent: receivers tell this run from the last by it, and refuse replays within it
        transport.generation(state.generation());
        if (!transport.isAuthenticated()) {
            events.accept("WARNING: no cluster key (--cluster-key-file): datagrams between nodes are not"
                + " authenticated, so anyone who can send UDP to " + config.listen() + " can join, gossip, write"
                + " replicas or make nodes look DOWN; use a key on any network you do not fully trust");
        } else {
            events.accept("datagrams between nodes are authenticated with the cluster key"
                + (transport.isEncrypted() ? " and encrypted (AES-256-GCM)" : ", not encrypted"));
        }
        Gossiper.Remembered remembered = PeersFile.load(config.dataDirectory());
        boolean leftoversStored = LeftoversFile.load(config.dataDirectory());
        boolean gaveTokensUp = !state.newData() && state.tokens().length == 0;
        boolean recordsWithoutTokens = !gaveTokensUp && state.tokens().length == 0 && holdsAnyRecord(engine);
        if (gaveTokensUp || recordsWithoutTokens && NodeState.joinBegun(config.dataDirectory())) {
            // this node held tokens on this data and gave them up (it left, or handed its ranges over after a lost
            // token conflict, or learned that it was removed while it was down and stopped before its drop ended):
            // its records went to the nodes that hold those ranges now, or were repaired there, and deletes made
            // since may have been purged. Kept, they would come back once it joins again and serves some of those
            // ranges. Or it never held tokens here and a join on this directory began (NodeState.beginJoin): its
            // records are from that join, which did not finish (a restart mid-stream, a removal while it was down):
            // copies of what other replicas hold, which may predate deletes purged since too (a removed joiner holds
            // no one's purges), and its next join's sessions would send them to the replicas it streams from
            String whose = gaveTokensUp ? "this node kept from before it gave its tokens up"
                : "this node holds from a join that did not finish";
            long dropped;
            try {
                dropped = engine.dropUnless(token -> false);
            } catch (io.ringkv.api.KvException e) {
                // joined again with them, a cleanup would keep those of the ranges it replicates anew, deleted values
                // among them: the start stops instead
                throw new io.ringkv.api.KvException(io.ringkv.api.ErrorCode.STORAGE_FAILURE, "cannot drop the records"
                    + " " + whose + " (it left, handed its ranges over, was removed while it was down, or its join"
                    + " stopped): " + e.getMessage() + ". They may predate deletes purged since, and would come back"
                    + " once it joins again. Mend the cause and start it again, or move its data directory away: it"
                    + " then joins as a new node");
            }
            events.accept("dropped the " + dropped + " records " + whose + ": it joins as a new node");
            leftoversStored = false;
            // a failure here stops the start: a mark left at 1 would only hold purges until a cleanup
            LeftoversFile.store(config.dataDirectory(), false);
        } else if (recordsWithoutTokens && !leftoversStored) {
            // records without tokens and no join begun here: its node.state was lost, or restored without it. They
            // may be the only copy of some writes (one node, N=1), so they stay, counted as leftovers until a
            // cleanup once it has joined (and the cluster refuses its join while it holds the id as a member)
            events.accept("this node holds records but no tokens, and no join began on this directory: kept, and"
                + " counted as leftovers until a cleanup once it has joined");
            LeftoversFile.store(config.dataDirectory(), true);
            leftoversStored = true;
        }
        try {
            if (state.tokens().length > 0) {
                NodeState.endJoin(config.dataDirectory());
            } else if (!config.seeds().isEmpty()) {
                // this run joins: what it receives from now on is a join's
                NodeState.beginJoin(config.dataDirectory());
            }
        } catch (io.ringkv.api.KvException e) {
            // a start needs no free space: without the mark, a restart before the join ends keeps what it received
            // (as leftovers) instead of dropping it
            events.accept("WARNING: " + e.getMessage());
        }
        // bound first, so that gossip announces the real client port when the configured one is 0
        ClientSettings clients = config.clients();
        RespServer.Listener frontDoor = RespServer.listen(new RespConfig(config.listen().host(), config.clientPort(),
            Limits.DEFAULT, consistency, 10_000, clients.maxPendingReplies(), MAX_REQUEST_BYTES,
            clients.maxUnsentReplyBytes(), clients.idleTimeoutSeconds() * 1000L,
            clients.requestTimeoutSeconds() * 1000L, RespConfig.onPort(0).version()));
        try {
            // bound before gossip starts: a port taken must fail the start before the cluster hears of this node
            // a keystore that does not load fails the start here, before the cluster hears of this node
            io.ringkv.node.security.ReloadingTls tls = clients.tls().enabled()
                ? io.ringkv.node.security.ReloadingTls.load(clients.tls(), events) : null;
            // one certificate, one reload, for both client ports
            frontDoor.tls(tls);
            // a client that never reads what it asked for holds its connection until this much after its request
            NodeHttpServer.boundResponseTime(keyValueWait().plusSeconds(NodeHttpServer.RESPONSE_SLACK_SECONDS));
            http = config.httpPort() == NodeConfig.HTTP_OFF ? null
                : NodeHttpServer.bind(config.listen().host(), config.httpPort(), config.id().value(), tls);
            NodeConfig announced = config.withClientPort(frontDoor.port());
            // before the agent starts: the JVM's collectors take a moment to set up, which gossip need not wait for
            metrics = new NodeMetrics(context.counters());
            peersWriter = new PeersWriter(config.dataDirectory(), events, context.counters());
            storageCounters = new StorageCounters(context.counters(), engine);
            // every replica read and write, and the engine's report, run on the stage's threads, never the agent's
            storage = new EngineStage("ringkv-" + config.id().value(), "storage_stage", "storage", engine,
                STORAGE_STAGE_CAPACITY, agent::wake, storageCounters::publish, context.counters());
            // hints are written, read and deleted on a stage of their own, over the hint store
            hintStage = new EngineStage("ringkv-" + config.id().value() + "-hints", "hint_stage", "hints", hintEngine,
                HINT_STAGE_CAPACITY, agent::wake, metrics -> {
                }, context.counters());
            agent.storage(storage, hintStage);
            membership = new ClusterMembership(context, announced, consistency, storage::latestMetrics, state,
                remembered,
                peersWriter::save, events);
            // every record the replica writes updates its range's live hash tree, so repairs need no full scan
            LiveTrees liveTrees = new LiveTrees(RepairConfig.DEFAULT.leafCount());
            // the generation (persisted, always greater) keeps every dot this node issues new, even on a wiped disk
            replication = new Replication(context, membership.ring(), storage, hintStage, new LivenessView() {
                    @Override
                    public boolean isAlive(NodeId node) {
                        return membership.isAlive(node);
                    }

                    @Override
                    public long generation(NodeId node) {
                        return membership.generationOf(node);
                    }

                    @Override
                    public boolean upAfter(NodeId node, long generation, long sinceNanos, long untilNanos) {
                        return membership.upAfter(node, generation, sinceNanos, untilNanos);
                    }
                },
                replicationConfig, config.hints(), state.generation(), liveTrees);
            // a node on new data serves nothing until it shows itself: members may still take it for an earlier run
            // of its id (until they judge that one DOWN), whose data it does not hold
            Gossiper gossiper = membership.gossiper();
            replication.serveOnlyWhile(() -> !gossiper.isHidden());
            // changes of expiry are marked in their versions only once no member runs a build that drops them
            membership.onExpiryMarks(replication::markChangesOfExpiry);
            // a ring change reaches every coordinator within a few gossip rounds; ten leave room for loss
            long previousRingWindow = Math.max(TimeUnit.SECONDS.toNanos(1),
                10 * TimeUnit.MILLISECONDS.toNanos(config.gossip().intervalMillis()));
            replication.previousRingWindow(previousRingWindow);
            // while purges are held (a move), a tombstone past the grace still streams to and is taken by replicas
            // holding nothing for its key
            replication.purgesHeldWhile(repairHistory::purgesHeld);
            LiveTreeRebuilder treeRebuilder = new LiveTreeRebuilder(context, storage, liveTrees,
                LiveTreeRebuilder.configFor(TimeUnit.HOURS.toNanos(config.repairPeriodHours())));
            treeRebuilder.updateRing(replication.coordinator().ring());
            // anti-entropy: sessions with the other replicas of each range, merged by replication's resolver
            AntiEntropy antiEntropy = new AntiEntropy(context, storage, RepairConfig.DEFAULT, liveTrees,
                new ReplicaMerger(replication), replicationConfig.limits().maxKeyBytes(),
                EngineConfig.DEFAULT_MAX_VERSION_BYTES);
            repairs = new RepairScheduler(context, antiEntropy, () -> replication.coordinator().ring(),
                membership::futureRing, membership::isAlive, TimeUnit.HOURS.toNanos(config.repairPeriodHours()), repairHistory);
            // a node restarted on its data repairs nothing until the cluster said it is still a member: removed while
            // it was down, its records may predate deletes purged since, and a pass would send them to its peers
            repairs.runOnlyWhile(() -> !gossiper.isHidden());
            // joins and leaves stream ranges by repair sessions; writes reach pending replicas meanwhile
            membership.left().thenAccept(left::complete);
            membership.hintsWith(() -> replication.hints().handOff(), () -> replication.hints().toHandOver());
            membership.streamWith(new RangeStreamer(context, antiEntropy, membership::isAlive,
                TimeUnit.SECONDS.toNanos(STREAM_RETRY_SECONDS)));
            RangeCleanup cleanup = new RangeCleanup(engine, context.counters(), events, () -> {
                if (!agent.submit(repairs::requestPass)) {
                    events.accept("could not ask for the repair pass after the cleanup (the agent's queue is full):"
                        + " run ringkv repair");
                }
            }, previousRingWindow + 5 * TimeUnit.MILLISECONDS.toNanos(config.gossip().intervalMillis()),
                (cleaned, epoch) -> {
                if (!agent.submit(() -> membership.cleaned(cleaned, epoch))) {
                    events.accept("could not clear this node's leftovers mark after the cleanup (the agent's queue is"
                        + " full): run ringkv cleanup again");
                }
            });
            // a node the cluster removed while it was down drops its records before it joins as a new one
            membership.dropWith(listener -> dropEveryRecord(listener, events));
            // records of ranges a join or leave took from any node hold every purge until a cleanup drops them
            membership.trackLeftovers(leftoversStored, peersWriter::saveLeftovers, repairs::purgeHoldChanged);
            repairs.holdPurgesWhile(() -> !membership.leftoverHolders().isEmpty());
            membership.onRing(ring -> {
                Ring previous = replication.coordinator().ring();
                replication.updateRing(ring, membership.futureRing());
                cleanup.ringChanged(ring, membership.futureRing());
                repairs.ringChanged();
                treeRebuilder.updateRing(ring);
                if (rangesLeftANode(previous, ring)) {
                    // a node was removed (or is back with other tokens, its data lost, and this node missed the
                    // removal): its ranges passed to other replicas, which repair brings to N copies
                    repairs.requestPass();
                }
            });
            membership.start();
            long graceMillis = replicationConfig.tombstoneGraceMillis();
            if (TimeUnit.MILLISECONDS.toNanos(graceMillis) < config.hints().windowNanos()) {
                events.accept("the tombstone grace (" + graceMillis / 1000 + " s) is shorter than the hint window ("
                    + TimeUnit.NANOSECONDS.toSeconds(config.hints().windowNanos()) + " s): hints older than the grace"
                    + " are dropped undelivered, and repair brings those writes instead");
            }
            ErrorHandler errors = error -> events.accept("agent error: " + error);
            IdleStrategy idle = config.idle().newStrategy();
            agent.idleWith(idle);
            runner = new AgentRunner(idle, errors, null, agent);
            AgentRunner.startOnThread(runner);
            CounterSet<HandOffCounter> handOffs = context.counters().register(HandOffCounter.class);
            ReplicatedKeyValueService service = new ReplicatedKeyValueService(agent, replication.coordinator(),
                replication.scans(), membership::removeNode, handOffs);
            service.keyEstimate(() -> membership.snapshot().estimatedKeys(consistency.n()));
            service.operation("repair", arguments -> "repair started: " + RepairArguments.parse(arguments)
                .startOn(repairs) + " sessions (progress in INFO repair)");
            service.operation("decommission", noArguments("DECOMMISSION", membership::decommission));
            service.operation("cleanup", noArguments("CLEANUP", () -> cleanup.start(
                replication.coordinator().ring(), membership.futureRing(), config.id(),
                membership.leftoversEpoch())));
            front = RespServer.start(frontDoor,
                new ReadinessGatedService(service, () -> membership.snapshot().loading()), this::info,
                health::whyUnavailable, context.counters(), metrics.requests(), authenticator,
                // only an agent that sleeps on its selector (the adaptive strategy) wakes when a client sends
                config.clients().frontDoorOnAgent() && idle instanceof AdaptiveIdleStrategy ? agentHost() : null);
            if (config.clients().frontDoorOnAgent() && !front.onAgentThread()) {
                events.accept("the Redis-protocol port has a thread of its own: "
                    + (config.clients().tls().enabled() ? "TLS handshakes must not hold up the agent thread"
                    : "the agent parks blind under the " + config.idle().optionName() + " idle strategy, so a"
                    + " client's request would not wake it"));
            }
            if (http != null) {
                http.serve(httpRoutes(handOffs));
            }
            // the signals an autoscaler reads (INFO autoscale): every node's request rate and data size, by gossip;
            // started on the agent thread once the front door registered the count of commands it answers
            scaling = new ScalingMonitor(context, membership.gossiper(), new ScalingPolicy(config.scaling()),
                () -> context.counters().value(RespCounter.COMMANDS_PROCESSED.counterName()),
                () -> storage.latestMetrics().dataBytes(), TimeUnit.SECONDS.toNanos(SCALING_PERIOD_SECONDS));
            if (!agent.submit(scaling::start)) {
                events.accept("the agent's task queue is full: autoscaling signals are not measured");
            }
            // the figures every node's dashboard shows of this one (rate, p99, hints, repair), by gossip
            StatsAnnouncer stats = new StatsAnnouncer(context, membership.gossiper(), metrics.requests(),
                () -> replication.hints().pending(), repairs::progress, TimeUnit.SECONDS.toNanos(STATS_PERIOD_SECONDS));
            if (!agent.submit(stats::start)) {
                events.accept("the agent's task queue is full: the dashboard's request figures are not measured");
            }
        } catch (RuntimeException e) {
            // a front door on the agent thread is closed by the agent, before it stops
            CloseHelper.quietClose(front);
            // the agent first: once started it submits to the stages closed below
            CloseHelper.quietClose(runner);
            CloseHelper.quietClose(peersWriter);
            CloseHelper.quietClose(storage);
            CloseHelper.quietClose(hintStage);
            CloseHelper.quietClose(http);
            CloseHelper.quietClose(httpFrontDoor);
            frontDoor.close();
            CloseHelper.quietClose(authenticator);
            throw e;
        }
    }

    /**
     * Drops every record of the engine on a thread of its own (as a cleanup does: never the agent's or the storage
     * stage's), then tells {@code listener} on the agent thread. The node is hidden meanwhile: it takes no replica
     * write, and its hints (kept: a hint older than the tombstone grace is dropped undelivered) are not records.
     */
    private void dropEveryRecord(io.ringkv.gossip.DataDrop.Listener listener, Consumer<String> events) {
        Thread.ofPlatform().daemon().name("ringkv-drop").start(() -> {
            Runnable report;
            try {
                long dropped = engine.dropUnless(token -> false);
                report = () -> listener.dropped(dropped);
            } catch (RuntimeException | Error e) {
                // an Error too (the JVM's InternalError for a fault under a mapped file): reported, not lost here
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                report = () -> listener.failed(why);
            }
            // the lifecycle waits for this answer: a full queue is waited out, however long (said once a minute)
            long sayAt = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!agent.submit(report)) {
                if (runner == null || runner.isClosed()) {
                    // the node is stopping: its next start finds its tokens forgotten and drops the records then
                    return;
                }
                if (System.nanoTime() - sayAt > 0) {
                    events.accept("the agent's queue has been full for a minute: the end of the drop of this node's"
                        + " records waits for room in it");
                    sayAt = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        });
    }

    /** @return whether the engine holds a record (a tombstone included); reads at most one */
    private static boolean holdsAnyRecord(StorageEngine engine) {
        boolean[] any = {false};
        engine.scan(0, 0, record -> {
            any[0] = true;
            return false;
        });
        return any[0];
    }

    /** @return how long an HTTP key-value exchange waits for the node's answer */
    private Duration keyValueWait() {
        // the coordinator answers TIMEOUT itself after its request timeout: the exchange waits longer, as a backstop
        return Duration.ofNanos(replicationConfig.requestTimeoutNanos()).plusSeconds(10);
    }

    /**
     * What the HTTP endpoint serves: the key-value API (on a front door thread of its own, with its own service, as
     * the RESP front door has), its OpenAPI description, metrics, health checks, the cluster in JSON and the
     * dashboard.
     */
    private NodeHttpServer.Routes httpRoutes(CounterSet<HandOffCounter> handOffs) {
        NodeHttpServer.Routes routes = new NodeHttpServer.Routes();
        CounterSet<HttpCounter> httpCounters = context.counters().register(HttpCounter.class);
        KeyValueService service = new ReadinessGatedService(new ReplicatedKeyValueService(agent,
            replication.coordinator(), membership::removeNode, handOffs), () -> membership.snapshot().loading());
        httpFrontDoor = HttpFrontDoor.start("ringkv-" + config.id().value() + "-http-kv", service,
            HTTP_QUEUE_CAPACITY, httpCounters);
        new KeyValueEndpoint(httpFrontDoor, replicationConfig.limits(), consistency, metrics.requests(),
            httpCounters.get(HttpCounter.UNANSWERED), keyValueWait()).addTo(routes);
        new OpenApiEndpoint().addTo(routes);
        routes.add("/metrics", exchange -> {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(64 * 1024);
            metrics.write(body);
            NodeHttpServer.send(exchange, 200, NodeMetrics.CONTENT_TYPE, body.toByteArray());
        });
        new HealthEndpoint(membership::snapshot, health::whyUnavailable).addTo(routes);
        new ClusterEndpoint(membership::snapshot, context.clock()::wallClockMillis).addTo(routes);
        new DashboardEndpoint().addTo(routes);
        return routes.guardEach(new BasicAuth(authenticator,
            io.ringkv.node.auth.ProtectedMode.loopback(config.listen().host()) && !config.clients().tls().enabled(),
            config.listen().host(), httpCounters.get(HttpCounter.REFUSED_HOST)::increment)::guard);
    }

    /**
     * @return the logins of the client ports: the users file's, or none; refuses (protected mode) a node that would
     *     listen beyond loopback without users unless the operator allowed it
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the line of the users file that is wrong, or the
     *     options protected mode wants
     */
    private Authenticator clientAuthentication() {
        Users users = usersOf(config);
        if (users == null) {
            return Authenticator.open(context.counters());
        }
        return Authenticator.of(users, context.counters());
    }

    /**
     * Reads the users file of {@code config} and applies protected mode: what {@link #start} does first, for a
     * launcher to call before it opens anything.
     *
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the line of the users file that is wrong, or the
     *     options protected mode wants
     */
    public static void checkClientAccess(NodeConfig config) {
        usersOf(config);
    }

    /** @return the users of {@code config}'s users file, or null without one, after protected mode's check */
    private static Users usersOf(NodeConfig config) {
        ClientSettings clients = config.clients();
        Users users = clients.usersFile() == null ? null : UsersFile.load(clients.usersFile());
        ProtectedMode.check(config.listen().host(), users != null, clients.allowUnauthenticated());
        return users;
    }

    /** @return an operation that refuses arguments, naming {@code command} */
    private static java.util.function.Function<List<String>, String> noArguments(String command,
                                                                            java.util.function.Supplier<String> run) {
        return arguments -> {
            if (!arguments.isEmpty()) {
                throw new KvException(ErrorCode.INVALID_ARGUMENT, command + " takes no arguments");
            }
            return run.get();
        };
    }

    /**
     * @return whether a node of {@code previous} lost ranges: it is not on {@code next} (it was removed or left), or
     *     it is with other tokens. A member keeps its tokens for good, so the second is one back without its data
     *     (it joined again as a new node) seen by a node that missed its removal and its join: nothing handed its
     *     old ranges over there either
     */
    static boolean rangesLeftANode(Ring previous, Ring next) {
        for (io.ringkv.api.Node node : previous.nodes()) {
            if (!next.contains(node.id()) || !java.util.Arrays.equals(previous.tokensOf(node.id()),
                next.tokensOf(node.id()))) {
                return true;
            }
        }
        return false;
    }

    /** The agent thread as a front door's host: it sleeps on the transport's peer sockets (see RespServer). */
    private RespServer.AgentHost agentHost() {
        io.ringkv.node.transport.PeerSockets sockets = transport.sockets();
        return new RespServer.AgentHost() {
            @Override
            public java.nio.channels.Selector selector() {
                return sockets.selector();
            }

            @Override
            public void serve(java.util.function.Consumer<java.nio.channels.SelectionKey> keys) {
                sockets.serveAlso(keys);
            }

            @Override
            public void atCycleEnd(java.util.function.IntSupplier action) {
                agent.atCycleEnd(action);
            }

            @Override
            public void atClose(Runnable action) {
                agent.atClose(action);
            }

            @Override
            public boolean submit(Runnable task) {
                return agent.submit(task);
            }

            @Override
            public void wake() {
                agent.wake();
            }
        };
    }

    /**
     * The node's own fields of {@code INFO}: replication settings, and the cluster as this node sees it. Counters
     * are not here: INFO shows every counter of the node's registry in its section by itself.
     */
    private Map<String, String> info(String section) {
        Map<String, String> fields = new LinkedHashMap<>();
        ClusterSnapshot view = membership.snapshot();
        if (section.equals("server")) {
            serverFields(fields);
        } else if (section.equals("replication")) {
            fields.put("node_id", config.id().value());
            fields.put("cluster_nodes", Integer.toString(view.ringNodes()));
            fields.put("vnodes_per_node", Integer.toString(config.cluster().vnodes()));
            fields.put("consistency", consistency.toString());
            fields.put("resolver", replicationConfig.resolver());
            fields.put("engine", engine.name());
        } else if (section.equals("cluster")) {
            fields.put("cluster_name", config.gossip().clusterName());
            fields.put("cluster_self", view.self());
            fields.put("cluster_known_nodes", Integer.toString(view.members().size()));
            fields.put("cluster_ring_nodes", Integer.toString(view.ringNodes()));
            fields.put("cluster_failure_detector", config.gossip().detector());
            // nodes whose records of ranges a join or leave took hold every tombstone purge until a cleanup on them
            fields.put("cluster_leftover_holders", String.join(",", membership.leftoverHolders().stream()
                .map(io.ringkv.api.NodeId::value).toList()));
            fields.put("cluster_leftovers_here", membership.leftoversHere() ? "1" : "0");
            // 0 while a member of an earlier build would drop changes of expiry marked in their versions
            fields.put("cluster_expiry_marks", membership.expiryMarks() ? "1" : "0");
            fields.put("loading", view.ready() ? "0" : "1");
            if (!view.ready()) {
                fields.put("loading_reason", view.loading());
            }
            int i = 0;
            for (ClusterSnapshot.Member member : view.members()) {
                fields.put("node" + i++, "id=" + member.id() + ",state=" + member.state() + ",address="
                    + member.address() + ",client=" + member.clientAddress() + ",zone=" + member.zone() + ",rack="
                    + member.rack() + ",load=" + member.load() + ",keys=" + member.records() + ",disk=" + member.disk() + ",owns="
                    + String.format(Locale.ROOT, "%.4f", member.owns()) + ",tokens=" + member.tokens()
                    + ",generation=" + member.generation() + ",liveness=" + member.liveness());
            }
        } else if (section.equals("storage")) {
            fields.put("storage_engine", engine.name());
        } else if (section.equals("autoscale") && scaling != null) {
            ScalingPolicy.Config policy = config.scaling();
            fields.put("autoscale_target_rps", String.format(Locale.ROOT, "%.0f", policy.targetPerNode()));
            fields.put("autoscale_min_nodes", Integer.toString(policy.minNodes()));
            fields.put("autoscale_max_nodes", Integer.toString(policy.maxNodes()));
            fields.put("autoscale_reason", scaling.latest().reason().replace('\r', ' ').replace('\n', ' '));
        }
        return fields;
    }

    /** Whether the node can serve, and its transport's pause tolerance and error count. */
    private void serverFields(Map<String, String> fields) {
        var unavailable = health.whyUnavailable();
        fields.put("node_serving", unavailable.isPresent() ? "0" : "1");
        unavailable.ifPresent(reason -> fields.put("node_unavailable_reason", reason.replace('\r', ' ')
            .replace('\n', ' ')));
        fields.put("transport_timeout_ms", Long.toString(TimeUnit.NANOSECONDS.toMillis(transport.timeoutNanos())));
    }

    /**
     * @return completes once the node decommissioned: its ranges are with other nodes, which know it left; its
     *     process should exit (a restart would join as a new node)
     */
    public CompletionStage<String> left() {
        return left;
    }

    /**
     * @return completes with the reason when the node can no longer serve (its transport failed after a stall
     *     longer than the transport timeout); the node will not recover, and its process should exit so that a
     *     supervisor restarts it
     */
    public CompletionStage<String> failure() {
        return health.failure();
    }

    /** @return the node's settings */
    public NodeConfig config() {
        return config;
    }

    /** @return the HTTP endpoint's TCP port (useful when configured as 0), or {@link NodeConfig#HTTP_OFF} */
    public int httpPort() {
        return http == null ? NodeConfig.HTTP_OFF : http.port();
    }

    /** @return the front door's TCP port (useful when configured as 0) */
    public int clientPort() {
        return front.port();
    }

    /**
     * Queues {@code task} to run on the agent thread with this node's replication coordinator, for in-process tools
     * (the quorum latency benchmark) that drive the replication path without the front door. The coordinator, and
     * whatever its callbacks are given, belong to the agent thread: use them only inside {@code task} and the
     * callbacks, and hand results to other threads through a safe publication (a volatile field).
     *
     * @return false when the agent's task queue is full and {@code task} will not run; a task queued before
     *     {@link #start} runs once the agent starts, one queued after {@link #close} never runs
     */
    public boolean submitToCoordinator(Consumer<Coordinator> task) {
        // read on the agent thread, which start() launches after it assigned replication
        return agent.submit(() -> task.accept(replication.coordinator()));
    }

    /** @return the transport (its counters are safe to read approximately from any thread) */
    public AeronTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        CloseHelper.quietClose(http);
        CloseHelper.quietClose(httpFrontDoor);
        CloseHelper.quietClose(front);
        CloseHelper.quietClose(authenticator);
        if (runner != null) {
            // the runner stops once the agent's current sleep (up to 100 ms when idle) ends
            agent.stopSleeping();
            runner.close();
        } else {
            transport.close();
        }
        // after the agent stopped: the last view it handed over is written before the process exits
        CloseHelper.quietClose(peersWriter);
        // after the agent stopped: nothing submits any more; writes the stage took but did not force are unacknowledged
        CloseHelper.quietClose(storage);
        CloseHelper.quietClose(hintStage);
        try {
            engine.close();
        } finally {
            hintEngine.close();
        }
    }
}

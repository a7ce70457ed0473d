package io.ringkv.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MembershipTest {

    private static EndpointState state(String node, long generation, long version) {
        return EndpointState.of(Node.of(node, "127.0.0.1", 7400, 7379), generation, version, version,
            NodeStatus.NORMAL, new long[] {version}, Map.of("load", Long.toString(version)),
            EndpointState.PROTOCOL_VERSION);
    }

    private static List<Membership.Timed> timed(EndpointState... states) {
        return java.util.Arrays.stream(states).map(s -> new Membership.Timed(s, 0)).toList();
    }

    /** One SYN / ACK / ACK2 exchange, initiated by {@code a}; returns the number of full states sent. */
    private static int round(Membership a, Membership b) {
        List<Digest> syn = a.digests();
        Membership.Delta ack = b.newerThan(syn, Long.MIN_VALUE, Long.MAX_VALUE);
        List<Digest> wanted = b.wanted(syn);
        a.apply(ack.states());
        ack.heartbeats().forEach(a::applyHeartbeat);
        Membership.Delta ack2 = a.newerThanWanted(wanted);
        b.apply(ack2.states());
        ack2.heartbeats().forEach(b::applyHeartbeat);
        return ack.states().size() + ack2.states().size();
    }

    @Test
    void oneRoundLeavesBothSidesWithTheNewerStateOfEveryEndpoint() {
        Membership a = new Membership();
        Membership b = new Membership();
        a.apply(timed(state("n1", 1, 5), state("n2", 1, 3), state("only-a", 1, 1)));
        b.apply(timed(state("n1", 1, 2), state("n2", 1, 9), state("only-b", 1, 1)));
        round(a, b);
        for (Membership view : List.of(a, b)) {
            assertEquals(List.of(state("n1", 1, 5), state("n2", 1, 9), state("only-a", 1, 1), state("only-b", 1, 1)),
                view.states());
        }
    }

    @Test
    void statesComeInNodeIdOrderWhateverOrderEndpointsArriveAndLeaveIn() {
        Membership view = new Membership();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add("n" + i);
        }
        java.util.Collections.shuffle(ids, new java.util.Random(7));
        SplittableRandom random = new SplittableRandom(7);
        java.util.TreeMap<String, EndpointState> expected = new java.util.TreeMap<>();
        for (String id : ids) {
            EndpointState state = state(id, 1, 1 + random.nextInt(5));
            view.put(state, 0);
            expected.put(id, state);
            if (random.nextInt(4) == 0) {
                // a newer state replaces the endpoint's in place
                EndpointState newer = state(id, 2, 1);
                view.put(newer, 0);
                expected.put(id, newer);
            }
            if (random.nextInt(5) == 0) {
                String gone = expected.keySet().stream().skip(random.nextInt(expected.size())).findFirst().orElseThrow();
                view.remove(io.ringkv.api.NodeId.of(gone));
                expected.remove(gone);
            }
            assertEquals(List.copyOf(expected.values()), view.states());
        }
        view.remove(io.ringkv.api.NodeId.of("not-a-member"));
        assertEquals(List.copyOf(expected.values()), view.states());
    }

    @Test
    void aStableClusterExchangesOnlyDigests() {
        Membership a = new Membership();
        Membership b = new Membership();
        List<EndpointState> same = List.of(state("n1", 1, 5), state("n2", 2, 3));
        a.apply(same.stream().map(x -> new Membership.Timed(x, 0)).toList());
        b.apply(same.stream().map(x -> new Membership.Timed(x, 0)).toList());
        assertTrue(b.newerThan(a.digests(), Long.MIN_VALUE, Long.MAX_VALUE).isEmpty());
        assertTrue(b.wanted(a.digests()).isEmpty());
    }

    @Test
    void aHeartbeatTravelsAsANumberWhenThePeerHasTheContent() {
        Membership a = new Membership();
        Membership b = new Membership();
        EndpointState first = state("n1", 1, 5);
        a.apply(timed(first));
        b.apply(timed(first));
        a.put(first.beat().beat(), 5);
        Membership.Delta delta = a.newerThan(b.digests(), Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(List.of(), delta.states());
        assertEquals(List.of(new Membership.Heartbeat(first.fingerprint(), 1, 7, 5, 5)), delta.heartbeats());
        b.applyHeartbeat(delta.heartbeats().get(0));
        assertEquals(first.beat().beat(), b.state(first.id()).orElseThrow());
    }

    @Test
    void aContentChangeTravelsAsAFullState() {
        Membership a = new Membership();
        Membership b = new Membership();
        EndpointState first = state("n1", 1, 5);
        a.apply(timed(first));
        b.apply(timed(first));
        a.put(first.withStatus(NodeStatus.LEAVING).beat(), 5);
        Membership.Delta delta = a.newerThan(b.digests(), Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(List.of(), delta.heartbeats());
        assertEquals(NodeStatus.LEAVING, delta.states().get(0).state().status());
    }

    @Test
    void aHeartbeatOfAnotherGenerationOrAnUnknownNodeIsNotTaken() {
        Membership b = new Membership();
        EndpointState known = state("n1", 1, 5);
        b.apply(timed(known));
        assertNull(b.applyHeartbeat(new Membership.Heartbeat(known.fingerprint(), 2, 9, 5, 0)));
        assertNull(b.applyHeartbeat(new Membership.Heartbeat(12345L, 1, 9, 5, 0)));
        assertNull(b.applyHeartbeat(new Membership.Heartbeat(known.fingerprint(), 1, 4, 5, 0)));
        assertNull(b.applyHeartbeat(new Membership.Heartbeat(known.fingerprint(), 1, 9, 8, 0)),
            "a heartbeat past a content change the view lacks would hide that change");
        assertEquals(known, b.state(known.id()).orElseThrow());
    }

    @Test
    void aRangeLimitsWhatCountsAsMissing() {
        Membership a = new Membership();
        Membership b = new Membership();
        b.apply(timed(state("n1", 1, 1), state("n2", 1, 1), state("n3", 1, 1)));
        long fp = state("n2", 1, 1).id().fingerprint();
        Membership.Delta delta = b.newerThan(a.digests(), fp, fp);
        assertEquals(List.of("n2"), delta.states().stream().map(t -> t.state().id().value()).toList());
    }

    @Test
    void aRestartedNodesNewGenerationWinsOverAHigherVersion() {
        Membership a = new Membership();
        a.apply(timed(state("n1", 1, 500)));
        List<Membership.Applied> applied = a.apply(timed(state("n1", 2, 1)));
        assertTrue(applied.get(0).isNewGeneration());
        assertEquals(2, a.state(state("n1", 2, 1).id()).orElseThrow().generation());
    }

    @Test
    void aRemovalOutranksAFresherCopyOfTheSameGenerationButNotARestart() {
        Membership straggler = new Membership();
        straggler.apply(timed(state("n1", 1, 900)));
        EndpointState removed = state("n1", 1, 400).removed();
        assertEquals(NodeStatus.LEFT, removed.status());
        assertEquals(1, straggler.apply(timed(removed)).size(), "a fresher heartbeat outranked the removal");
        assertEquals(NodeStatus.LEFT, straggler.state(removed.id()).orElseThrow().status());
        assertTrue(straggler.apply(timed(state("n1", 1, 100_000))).isEmpty(), "a heartbeat undid the removal");
        assertEquals(1, straggler.apply(timed(state("n1", 2, 1))).size(), "a restart did not win over the removal");
    }

    @Test
    void randomRoundsConvergeEveryViewToTheNewestStates() {
        SplittableRandom random = new SplittableRandom(7);
        List<Membership> views = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            views.add(new Membership());
        }
        for (int i = 0; i < 8; i++) {
            views.get(i).apply(timed(state("n" + i, 1 + random.nextInt(3), 1 + random.nextInt(100))));
        }
        for (int step = 0; step < 200; step++) {
            int x = random.nextInt(8);
            int y = random.nextInt(8);
            if (x != y) {
                round(views.get(x), views.get(y));
            }
        }
        for (Membership view : views) {
            assertEquals(views.get(0).states(), view.states());
            assertEquals(8, view.size());
        }
    }
}

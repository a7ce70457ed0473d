package io.ringkv.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MembershipTest {

    private static EndpointState state(String node, long generation, long version) {
        return new EndpointState(NodeId.of(node), generation, version, NodeStatus.NORMAL, new long[] {version},
            Map.of("load", Long.toString(version)));
    }

    /** One SYN / ACK / ACK2 exchange, initiated by {@code a}. */
    private static void round(Membership a, Membership b) {
        List<Digest> syn = a.digests();
        List<EndpointState> ackStates = b.newerThan(syn);
        List<Digest> ackWanted = b.wanted(syn);
        a.apply(ackStates);
        List<EndpointState> ack2 = a.newerThan(ackWanted);
        b.apply(ack2);
    }

    @Test
    void oneRoundLeavesBothSidesWithTheNewerStateOfEveryEndpoint() {
        Membership a = new Membership();
        Membership b = new Membership();
        a.apply(List.of(state("n1", 1, 5), state("n2", 1, 3), state("only-a", 1, 1)));
        b.apply(List.of(state("n1", 1, 2), state("n2", 1, 9), state("only-b", 1, 1)));
        round(a, b);
        for (Membership view : List.of(a, b)) {
            assertEquals(List.of(state("n1", 1, 5), state("n2", 1, 9), state("only-a", 1, 1), state("only-b", 1, 1)),
                view.states());
        }
    }

    @Test
    void aStableClusterExchangesOnlyDigests() {
        Membership a = new Membership();
        Membership b = new Membership();
        List<EndpointState> same = List.of(state("n1", 1, 5), state("n2", 2, 3));
        a.apply(same);
        b.apply(same);
        assertTrue(b.newerThan(a.digests()).isEmpty());
        assertTrue(b.wanted(a.digests()).isEmpty());
    }

    @Test
    void aNewGenerationWinsOverAnyVersionOfTheOldOne() {
        Membership view = new Membership();
        view.apply(List.of(state("n1", 1, 1_000)));
        List<EndpointState> changed = view.apply(List.of(state("n1", 2, 1)));
        assertEquals(List.of(state("n1", 2, 1)), changed, "a restart with a fresh heartbeat replaces the old state");
        assertTrue(view.apply(List.of(state("n1", 1, 5_000))).isEmpty(), "the old generation never comes back");
    }

    @Test
    void randomGossipBetweenManyViewsConvergesOnEveryNodesNewestState() {
        SplittableRandom random = new SplittableRandom(7);
        int nodes = 50;
        List<Membership> views = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Membership view = new Membership();
            view.apply(List.of(state("n" + i, 1, 1 + random.nextInt(100))));
            views.add(view);
        }
        List<EndpointState> truth = new ArrayList<>();
        for (Membership view : views) {
            truth.addAll(view.states());
        }
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < nodes; i++) {
                int peer = random.nextInt(nodes - 1);
                round(views.get(i), views.get(peer >= i ? peer + 1 : peer));
            }
        }
        for (Membership view : views) {
            assertEquals(nodes, view.states().size());
            assertTrue(view.states().containsAll(truth));
        }
    }
}

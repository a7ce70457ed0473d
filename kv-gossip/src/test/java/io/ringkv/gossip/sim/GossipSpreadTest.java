package io.ringkv.gossip.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.sim.SimulationSeeds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GossipSpreadTest {

    @Test
    void aHeartbeatReachesAllOf1000NodesWithin15RoundsDespiteOnePercentLoss() {
        List<GossipFigures.Spread> spreads = new ArrayList<>();
        SimulationSeeds.run(getClass(), "aHeartbeatReachesAllOf1000NodesWithin15RoundsDespiteOnePercentLoss",
            "kv-gossip", 1, seed -> {
                GossipFigures.Spread spread = GossipFigures.spread(seed, 1000, 0.01);
                spreads.add(spread);
                assertTrue(spread.rounds()[2] > 0 && spread.rounds()[2] <= 15,
                    "rounds to 50/99/100 %: " + GossipFigures.describe(spread.rounds()));
            });
        System.out.println("spread rounds 50/99/100 %: " + spreads.stream().map(s -> GossipFigures.describe(s.rounds()))
            .toList());
    }
}

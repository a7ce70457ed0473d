package io.ringkv.benchmarks.availability;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Random node failures: each node alternates exponential times up (mean MTBF) and down (mean MTTR). */
public final class FailureHistory {
    private FailureHistory() {
    }

    /**
     * @param nodes how many nodes fail independently of each other
     * @param parameters MTBF, MTTR, warm-up and horizon
     * @param random the only randomness used
     * @return every outage that starts between {@code -warmUp} and the horizon, node by node in time order; none
     *     when MTTR is 0
     */
    public static List<Outage> generate(int nodes, AvailabilityParameters parameters, RandomGenerator random) {
        List<Outage> outages = new ArrayList<>();
        if (parameters.mttrSeconds() == 0) {
            return outages;
        }
        for (int node = 0; node < nodes; node++) {
            double time = -parameters.warmUpSeconds();
            while (true) {
                time += exponential(random, parameters.mtbfSeconds());
                if (time >= parameters.horizonSeconds()) {
                    break;
                }
                double back = time + exponential(random, parameters.mttrSeconds());
                outages.add(new Outage(node, time, back));
                time = back;
            }
        }
        return outages;
    }

    private static double exponential(RandomGenerator random, double mean) {
        return mean * random.nextExponential();
    }
}

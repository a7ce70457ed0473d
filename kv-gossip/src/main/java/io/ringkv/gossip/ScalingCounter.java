package io.ringkv.gossip;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** The signals an autoscaler reads, as this node sees them (INFO section {@code autoscale}). */
public enum ScalingCounter implements CounterDescriptor {
    REQUESTS_PER_SECOND("autoscale_requests_per_second", "client requests this node answered per second, recently"),
    CLUSTER_REQUESTS_PER_SECOND("autoscale_cluster_requests_per_second",
        "client requests per second of all the members this node heard from, added up"),
    DATA_BYTES("autoscale_data_bytes", "data this node holds, in bytes"),
    MEMBERS("autoscale_members", "NORMAL members of the ring"),
    MEMBERS_DOWN("autoscale_members_down", "NORMAL members of the ring judged DOWN (the policy holds while any is)"),
    MOVING("autoscale_moving", "1 while a node is joining or leaving, else 0"),
    RECOMMENDED_NODES("autoscale_recommended_nodes",
        "how many nodes the scaling policy recommends now (equal to autoscale_members to hold)");

    private final CounterSpec spec;

    ScalingCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.GAUGE, "autoscale");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}

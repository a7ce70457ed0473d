package io.ringkv.node;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.ringkv.api.Clock;
import io.ringkv.api.NodeContext;
import io.ringkv.api.Timers;
import io.ringkv.api.Transport;
import io.ringkv.node.runtime.NodeAgent;
import io.ringkv.node.runtime.SystemClock;
import io.ringkv.node.runtime.WheelTimers;
import io.ringkv.node.transport.AeronTransport;
import io.ringkv.node.transport.TransportConfig;
import jakarta.inject.Singleton;
import java.util.SplittableRandom;

/** Production wiring of a node's runtime: system clock, Aeron transport, timer wheel, one agent. */
@Module
interface NodeModule {
    @Binds
    Clock clock(SystemClock clock);

    @Binds
    Transport transport(AeronTransport transport);

    @Binds
    Timers timers(WheelTimers timers);

    @Provides
    @Singleton
    static SystemClock systemClock() {
        return new SystemClock();
    }

    @Provides
    @Singleton
    static AeronTransport aeronTransport(NodeConfig config) {
        return AeronTransport.start(TransportConfig.of(config.id(), config.listen(), config.peers(),
            config.dataDirectory()));
    }

    @Provides
    @Singleton
    static WheelTimers wheelTimers(Clock clock) {
        return new WheelTimers(clock);
    }

    @Provides
    @Singleton
    static NodeContext nodeContext(NodeConfig config, Transport transport, Clock clock, Timers timers) {
        return new NodeContext(config.id(), transport, clock, timers, new SplittableRandom());
    }

    @Provides
    @Singleton
    static NodeAgent nodeAgent(NodeConfig config, AeronTransport transport, WheelTimers timers) {
        return new NodeAgent("ringkv-node-" + config.id(), transport, timers);
    }
}

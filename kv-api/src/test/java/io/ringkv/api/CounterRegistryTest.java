package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CounterRegistryTest {
    private final CounterRegistry registry = new CounterRegistry(16);

    @Test
    void readersSeeCountersInRegistrationOrderWithTheirValues() {
        Counter sent = registry.register("gossip_syns_sent", "Syn messages sent", CounterKind.COUNTER, "cluster");
        Counter open = registry.register("connected_clients", "connections open now", CounterKind.GAUGE, "clients");
        sent.incrementRelease();
        sent.addRelease(4);
        open.addRelease(3);
        open.addRelease(-1);

        List<Counter> all = registry.counters();
        assertEquals(List.of("gossip_syns_sent", "connected_clients"), all.stream().map(Counter::name).toList());
        assertEquals(List.of(5L, 2L), all.stream().map(Counter::get).toList());
        assertEquals(CounterKind.GAUGE, all.get(1).kind());
        assertEquals("connections open now", all.get(1).help());
        assertEquals("clients", all.get(1).section());
        assertEquals(5, registry.value("gossip_syns_sent"));
    }

    @Test
    void aSecondCounterOfTheSameNameIsRefusedAndTheFirstKept() {
        Counter first = registry.register("transport_sent", "messages sent", CounterKind.COUNTER, "cluster");
        first.incrementRelease();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> registry.register("transport_sent", "again", CounterKind.GAUGE, "stats"));
        assertTrue(refused.getMessage().contains("transport_sent is already registered"), refused.getMessage());
        assertEquals(1, registry.counters().size());
        assertEquals(1, registry.value("transport_sent"));
    }

    @Test
    void anEnumWhoseNameIsTakenRegistersNothing() {
        registry.register("transport_received", "taken first", CounterKind.COUNTER, "cluster");
        assertThrows(IllegalArgumentException.class, () -> registry.register(TransportCounter.class));
        assertEquals(List.of("transport_received"), registry.counters().stream().map(Counter::name).toList());
    }

    @Test
    void anEnumRegistersEveryConstantReachableByIt() {
        CounterSet<TransportCounter> transport = registry.register(TransportCounter.class);
        transport.get(TransportCounter.TOO_LARGE).incrementRelease();
        assertEquals(1, transport.value(TransportCounter.TOO_LARGE));
        assertEquals(0, transport.value(TransportCounter.SENT));
        assertEquals(TransportCounter.values().length, registry.counters().size());
        assertEquals("transport_sent", registry.counters().getFirst().name());
    }

    @Test
    void namesThatAreNotSnakeCaseAndBlankHelpAreRefused() {
        assertThrows(IllegalArgumentException.class,
            () -> registry.register("Gossip-Rounds", "rounds", CounterKind.COUNTER, "cluster"));
        assertThrows(IllegalArgumentException.class,
            () -> registry.register("gossip_rounds", " ", CounterKind.COUNTER, "cluster"));
        assertThrows(IllegalArgumentException.class,
            () -> registry.register("gossip_rounds", "two\nlines", CounterKind.COUNTER, "cluster"));
        assertEquals(List.of(), registry.counters());
    }

    @Test
    void aFullRegistrySaysSo() {
        CounterRegistry small = new CounterRegistry(1);
        small.register("a", "one", CounterKind.COUNTER, "stats");
        IllegalStateException full = assertThrows(IllegalStateException.class,
            () -> small.register("b", "two", CounterKind.COUNTER, "stats"));
        assertTrue(full.getMessage().contains("full"), full.getMessage());
    }

    @Test
    void peaksOnlyRise() {
        Counter peak = registry.register("client_unsent_reply_bytes_peak", "peak", CounterKind.GAUGE, "clients");
        peak.proposeMaxRelease(10);
        peak.proposeMaxRelease(4);
        assertEquals(10, peak.get());
    }

    @Test
    void manyWritersLoseNoAtomicIncrement() throws InterruptedException {
        Counter gets = registry.register("storage_gets", "reads", CounterKind.COUNTER, "storage");
        Thread[] writers = new Thread[4];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = Thread.ofPlatform().start(() -> {
                for (int n = 0; n < 100_000; n++) {
                    gets.increment();
                }
            });
        }
        for (Thread writer : writers) {
            writer.join();
        }
        assertEquals(400_000, gets.get());
    }

    @Test
    void aReaderOnAnotherThreadNeverSeesACounterGoBack() throws InterruptedException {
        Counter rounds = registry.register("gossip_rounds", "rounds run", CounterKind.COUNTER, "cluster");
        long total = 2_000_000;
        AtomicReference<String> violation = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            long last = 0;
            while (last < total) {
                long now = registry.counters().getFirst().get();
                if (now < last) {
                    violation.set("read " + now + " after " + last);
                    return;
                }
                last = now;
            }
        });
        for (long n = 0; n < total; n++) {
            rounds.incrementRelease();
        }
        // the reader only ends once it saw the final value: it cannot miss the writer's last release store
        reader.join();
        assertEquals(null, violation.get());
        assertEquals(total, rounds.get());
    }
}

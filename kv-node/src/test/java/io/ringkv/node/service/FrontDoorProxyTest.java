package io.ringkv.node.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers go back to a front door in one delivery per cycle, and a refused delivery is late, never lost. */
class FrontDoorProxyTest {
    private final CounterSet<HandOffCounter> counters = new CounterRegistry().register(HandOffCounter.class);
    private final List<String> answered = new ArrayList<>();
    private final List<Integer> deliveries = new ArrayList<>();
    private boolean full;

    private final AnswerChannel frontDoor = batch -> {
        if (full) {
            return false;
        }
        deliveries.add(batch.size());
        batch.forEach(Runnable::run);
        return true;
    };

    @Test
    void theAnswersOfOneCycleReachTheirFrontDoorInOneDelivery() {
        FrontDoorProxy proxy = new FrontDoorProxy(counters.get(HandOffCounter.FRONT_DOOR_QUEUE_FULL));
        proxy.succeeded(answer("a"), "1");
        proxy.failed(answer("b"), new IllegalStateException("2"));
        proxy.succeeded(answer("c"), "3");
        assertEquals(List.of(), answered, "nothing is delivered before the cycle ends");
        assertEquals(1, proxy.deliverAll());
        assertEquals(List.of(3), deliveries);
        assertEquals(List.of("a=1", "b failed 2", "c=3"), answered);
        assertEquals(0, proxy.deliverAll(), "nothing left");
    }

    @Test
    void aDeliveryTheFrontDoorRefusesIsCountedAndMadeAtALaterCycleInOrder() {
        FrontDoorProxy proxy = new FrontDoorProxy(counters.get(HandOffCounter.FRONT_DOOR_QUEUE_FULL));
        full = true;
        proxy.succeeded(answer("a"), "1");
        assertEquals(0, proxy.deliverAll());
        proxy.succeeded(answer("b"), "2");
        assertEquals(0, proxy.deliverAll());
        assertEquals(2, counters.value(HandOffCounter.FRONT_DOOR_QUEUE_FULL));
        full = false;
        proxy.succeeded(answer("c"), "3");
        assertEquals(1, proxy.deliverAll());
        assertEquals(List.of("a=1", "b=2", "c=3"), answered);
        assertEquals(List.of(3), deliveries, "the waiting answers and the new one went in one delivery");
    }

    @Test
    void aLazyAnswerIsMadeWhenItIsDeliveredAndAFailureToMakeItIsAnswered() {
        FrontDoorProxy proxy = new FrontDoorProxy(counters.get(HandOffCounter.FRONT_DOOR_QUEUE_FULL));
        List<String> made = new ArrayList<>();
        proxy.succeededWith(answer("a"), () -> {
            made.add("a");
            return "1";
        });
        proxy.succeededWith(answer("b"), () -> {
            throw new IllegalStateException("2");
        });
        assertEquals(List.of(), made, "not made on the thread that answered");
        proxy.deliverAll();
        assertEquals(List.of("a"), made);
        assertEquals(List.of("a=1", "b failed 2"), answered);
    }

    private Answer<String> answer(String name) {
        return new Answer<>() {
            @Override
            public void succeeded(String result) {
                answered.add(name + "=" + result);
            }

            @Override
            public void failed(Throwable failure) {
                answered.add(name + " failed " + failure.getMessage());
            }

            @Override
            public AnswerChannel channel() {
                return frontDoor;
            }
        };
    }
}

package io.ringkv.node.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.Consistency;
import io.ringkv.api.CounterRegistry;
import io.ringkv.api.CounterSet;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Value;
import io.ringkv.node.runtime.AgentInbox;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-off to the agent: one offer per front-door wake-up, and a full inbox answered at once and counted. */
class ReplicatedKeyValueServiceTest {
    private final List<Object> answers = new ArrayList<>();
    private final CounterSet<HandOffCounter> counters = new CounterRegistry().register(HandOffCounter.class);

    @Test
    void theCallsOfOneWakeUpTakeOneOfferOfTheAgentsInbox() {
        AgentInbox inbox = new AgentInbox(2);
        assertTrue(inbox.offer(() -> { }));
        // no coordinator: nothing drains the inbox, so only the hand-off is under test
        ReplicatedKeyValueService service = new ReplicatedKeyValueService(inbox, null, node -> { }, counters);
        service.get(Key.utf8("a"), Consistency.DEFAULT, recorder());
        service.put(Key.utf8("b"), Value.utf8("v"), CausalContext.NONE, Consistency.DEFAULT, recorder());
        service.delete(Key.utf8("c"), Consistency.DEFAULT, recorder());
        service.flush();
        assertEquals(List.of(), answers, "the three calls went to the agent in the one free place of its inbox");
        assertEquals(0, counters.value(HandOffCounter.AGENT_QUEUE_FULL));
        assertTrue(!inbox.offer(() -> { }), "the inbox is full now");
    }

    @Test
    void callsTheAgentsFullInboxRefusesAreAnsweredUnavailableAtOnceAndCounted() {
        AgentInbox inbox = new AgentInbox(2);
        while (inbox.offer(() -> { })) {
            // fill it
        }
        ReplicatedKeyValueService service = new ReplicatedKeyValueService(inbox, null, node -> { }, counters);
        service.get(Key.utf8("a"), Consistency.DEFAULT, recorder());
        service.put(Key.utf8("b"), Value.utf8("v"), CausalContext.NONE, Consistency.DEFAULT, recorder());
        assertEquals(List.of(), answers, "nothing is handed over before the flush");
        service.flush();
        assertEquals(2, answers.size());
        for (Object answer : answers) {
            KvException failure = assertInstanceOf(KvException.class, answer);
            assertEquals(ErrorCode.UNAVAILABLE, failure.code());
            assertTrue(failure.getMessage().startsWith("node is overloaded"), failure.getMessage());
        }
        assertEquals(1, counters.value(HandOffCounter.AGENT_QUEUE_FULL), "one refused offer");
        service.delete(Key.utf8("c"), Consistency.DEFAULT, recorder());
        service.flush();
        assertEquals(3, answers.size());
        assertEquals(2, counters.value(HandOffCounter.AGENT_QUEUE_FULL));
    }

    @Test
    void aContextThatIsNotOneIsRefusedBeforeAnythingIsHandedOver() {
        AgentInbox inbox = new AgentInbox(2);
        ReplicatedKeyValueService service = new ReplicatedKeyValueService(inbox, null, node -> { }, counters);
        service.put(Key.utf8("b"), Value.utf8("v"), CausalContext.handedBack(new byte[] {1, 2, 3}), Consistency.DEFAULT,
            recorder());
        KvException failure = assertInstanceOf(KvException.class, answers.getFirst());
        assertEquals(ErrorCode.INVALID_ARGUMENT, failure.code());
        service.flush();
        assertTrue(inbox.offer(() -> { }) && inbox.offer(() -> { }), "nothing was queued for the agent");
    }

    private <T> Answer<T> recorder() {
        return new Answer<>() {
            @Override
            public void succeeded(T result) {
                answers.add(result);
            }

            @Override
            public void failed(Throwable failure) {
                answers.add(failure);
            }
        };
    }
}

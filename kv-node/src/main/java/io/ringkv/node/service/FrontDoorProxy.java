package io.ringkv.node.service;

import io.ringkv.api.Counter;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent thread's way back to front doors: answers produced during a duty cycle are collected per front door
 * and delivered at the cycle's end, one offer per front door (so at most one wake-up of its thread). A delivery
 * the front door refuses (its queue is full) is counted ({@code front_door_queue_full}) and kept, in order, for the
 * next cycle: an answer is late then, never lost. Agent thread only.
 */
final class FrontDoorProxy {
    private final List<AnswerChannel> channels = new ArrayList<>(2);
    private final List<List<Runnable>> batches = new ArrayList<>(2);
    private final Counter queueFull;

    /** @param queueFull counts refused deliveries; written by the agent thread only */
    FrontDoorProxy(Counter queueFull) {
        this.queueFull = queueFull;
    }

    <T> void succeeded(Answer<T> answer, T result) {
        batchFor(answer.channel()).add(() -> answer.succeeded(result));
    }

    /**
     * Answers with what {@code result} makes, made on the front door's thread when the answer is delivered, not on
     * the agent's (work that may take long, such as encoding a large scan cursor); a {@code result} that throws
     * answers the failure.
     */
    <T> void succeededWith(Answer<T> answer, java.util.function.Supplier<T> result) {
        batchFor(answer.channel()).add(() -> {
            T made;
            try {
                made = result.get();
            } catch (RuntimeException e) {
                answer.failed(e);
                return;
            }
            answer.succeeded(made);
        });
    }

    void failed(Answer<?> answer, Throwable failure) {
        batchFor(answer.channel()).add(() -> answer.failed(failure));
    }

    /**
     * Cycle end: hands each front door its answers; a refused batch waits for the next cycle. A refusal is not
     * counted as work, so a front door that stopped taking answers (closed, or stuck) cannot keep the agent spinning:
     * the retry comes with the agent's next cycle, however long it parks.
     *
     * @return batches delivered
     */
    int deliverAll() {
        int delivered = 0;
        for (int i = channels.size() - 1; i >= 0; i--) {
            if (channels.get(i).deliver(batches.get(i))) {
                channels.remove(i);
                batches.remove(i);
                delivered++;
            } else {
                queueFull.incrementRelease();
            }
        }
        return delivered;
    }

    private List<Runnable> batchFor(AnswerChannel channel) {
        for (int i = 0; i < channels.size(); i++) {
            if (channels.get(i) == channel) {
                return batches.get(i);
            }
        }
        List<Runnable> batch = new ArrayList<>();
        channels.add(channel);
        batches.add(batch);
        return batch;
    }
}

package io.ringkv.node.resp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.ringkv.node.service.Answer;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in service's answers, held until the test releases them, in the order asked; each is delivered on its
 * answer's channel, as the node delivers its own.
 */
final class HeldAnswers {
    /** How many calls were held. */
    final AtomicInteger asked = new AtomicInteger();
    private final LinkedBlockingQueue<Runnable> waiting = new LinkedBlockingQueue<>();

    /** Holds {@code result} as the answer of a call, until {@link #releaseNext} takes it. */
    <T> void hold(Answer<T> answer, T result) {
        asked.incrementAndGet();
        waiting.add(() -> answer.channel().deliver(List.of(() -> answer.succeeded(result))));
    }

    /** Delivers the oldest answer held; fails the test when no call came within 20 s. */
    void releaseNext() throws InterruptedException {
        Runnable next = waiting.poll(20, TimeUnit.SECONDS);
        assertNotNull(next, "a call reached the service");
        next.run();
    }
}

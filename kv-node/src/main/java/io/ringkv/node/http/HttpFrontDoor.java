package io.ringkv.node.http;

import io.ringkv.api.Counter;
import io.ringkv.api.CounterSet;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.AnswerChannel;
import io.ringkv.node.service.KeyValueService;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The HTTP front door's one thread: it owns a {@link KeyValueService} (which is called from one thread only) and
 * runs the calls that HTTP exchanges hand it, then {@link KeyValueService#flush() flushes} them to the node as one
 * batch per wake-up; the node's answers come back through {@link #deliver} and run on this thread too. An exchange
 * waits for its answer on its own (virtual) thread, never on this one.
 *
 * <p>Both queues are bounded: a call that finds the request queue full is refused at once (counted), so a flood of
 * HTTP requests is answered 503 rather than queued without end. The thread parks while both queues are empty.
 */
public final class HttpFrontDoor implements AnswerChannel, AutoCloseable {
    /** Answer batches held before the node must keep them for a later cycle: one per node cycle at most. */
    private static final int ANSWER_QUEUE_CAPACITY = 1024;

    private final KeyValueService service;
    private final ManyToOneConcurrentArrayQueue<Request> requests;
    private final ManyToOneConcurrentArrayQueue<List<Runnable>> answers =
        new ManyToOneConcurrentArrayQueue<>(ANSWER_QUEUE_CAPACITY);
    private final Counter queueFull;
    private final Counter failures;
    private final int capacity;
    private volatile boolean running = true;
    private final Thread thread;

    /** One exchange's call of the service, and the answer it owes if the call throws. */
    private record Request(Consumer<KeyValueService> call, Answer<?> answer) {
    }

    private HttpFrontDoor(String threadName, KeyValueService service, int capacity, CounterSet<HttpCounter> counters) {
        this.service = service;
        this.capacity = capacity;
        this.requests = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.queueFull = counters.get(HttpCounter.QUEUE_FULL);
        this.failures = counters.get(HttpCounter.FAILURES);
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
    }

    /**
     * Starts the front door's thread.
     *
     * @param service the service this thread alone calls; its answers must come back on this front door (their
     *     {@link Answer#channel()})
     * @param capacity requests queued at most before more are refused
     * @param counters counts refused requests ({@link HttpCounter#QUEUE_FULL}, added to atomically) and what the
     *     thread caught ({@link HttpCounter#FAILURES})
     */
    public static HttpFrontDoor start(String threadName, KeyValueService service, int capacity,
                                      CounterSet<HttpCounter> counters) {
        HttpFrontDoor frontDoor = new HttpFrontDoor(threadName, service, capacity, counters);
        frontDoor.thread.start();
        return frontDoor;
    }

    /**
     * Any thread: queues {@code call} to run on the front door's thread, where it calls the service. A call that
     * throws has {@code answer} failed with what it threw.
     *
     * @return false when the queue is full (counted): {@code call} will not run
     */
    public boolean submit(Consumer<KeyValueService> call, Answer<?> answer) {
        if (!requests.offer(new Request(call, answer))) {
            queueFull.increment();
            return false;
        }
        LockSupport.unpark(thread);
        return true;
    }

    /** Any thread: takes a batch of the node's answers, to run on the front door's thread; never blocks. */
    @Override
    public boolean deliver(List<Runnable> batch) {
        if (!answers.offer(batch)) {
            return false;
        }
        LockSupport.unpark(thread);
        return true;
    }

    /** Stops the thread; calls queued and not yet run are never answered (their exchanges give up waiting). */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (running) {
            int work = answers.drain(batch -> batch.forEach(this::runAnswer));
            work += requests.drain(this::call, capacity);
            flush();
            if (work == 0) {
                // an offer after the drains leaves a permit, so this returns at once: no wake-up is lost
                LockSupport.park(this);
            }
        }
    }

    private void flush() {
        try {
            service.flush();
        } catch (RuntimeException e) {
            // a service answers what it cannot hand over; a bug here must not stop the thread every exchange needs
            failures.increment();
        }
    }

    private void call(Request request) {
        try {
            request.call().accept(service);
        } catch (RuntimeException e) {
            request.answer().failed(e);
        }
    }

    private void runAnswer(Runnable answer) {
        try {
            answer.run();
        } catch (RuntimeException e) {
            // an answer completes a future; nothing it throws may stop the thread that serves every exchange
            failures.increment();
        }
    }
}

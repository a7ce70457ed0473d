package io.ringkv.benchmarks.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The operations of a run, appended by every client thread; ids are handed out here. */
public final class History {
    private final AtomicLong nextId = new AtomicLong(1);
    private final List<Op> ops = new ArrayList<>();

    /** @return a fresh operation id */
    public long nextId() {
        return nextId.getAndIncrement();
    }

    /** Records a finished operation. */
    public synchronized void add(Op op) {
        ops.add(op);
    }

    /** @return every operation recorded so far, by start time */
    public synchronized List<Op> ops() {
        List<Op> sorted = new ArrayList<>(ops);
        sorted.sort(Comparator.comparingLong(Op::startNanos).thenComparingLong(Op::id));
        return sorted;
    }
}

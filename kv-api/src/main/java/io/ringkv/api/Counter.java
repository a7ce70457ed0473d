package io.ringkv.api;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * One named value of a {@link CounterRegistry}: written by its owner, readable from any thread.
 *
 * <p>Writes come in two strengths. The {@code ...Release} methods are for a counter with a single writing thread
 * (the usual case: the agent thread, the front door's thread): a plain read-modify-write followed by a release
 * store, no lock-prefixed instruction, as Aeron's own counters are written. {@link #increment()} and
 * {@link #add(long)} are atomic, for a counter several threads bump (a storage engine's reads). Every read
 * ({@link #get()}) is an acquire load, so a reader on another thread sees each value whole and, for a counter,
 * never a value smaller than one it saw before.
 */
public final class Counter {
    private final AtomicCounter value;
    private final String name;
    private final String help;
    private final CounterKind kind;
    private final String section;

    Counter(AtomicCounter value, String name, String help, CounterKind kind, String section) {
        this.value = value;
        this.name = name;
        this.help = help;
        this.kind = kind;
        this.section = section;
    }

    /** Adds one; only from the counter's single writing thread. */
    public void incrementRelease() {
        value.incrementRelease();
    }

    /** Adds {@code delta} (negative only for a gauge); only from the counter's single writing thread. */
    public void addRelease(long delta) {
        value.getAndAddRelease(delta);
    }

    /** Sets the value (a gauge, or a counter copied from a source that only grows); single writing thread. */
    public void setRelease(long newValue) {
        value.setRelease(newValue);
    }

    /** Raises the value to {@code candidate} if that is larger (a peak); only from the single writing thread. */
    public void proposeMaxRelease(long candidate) {
        value.proposeMaxRelease(candidate);
    }

    /** Adds one atomically; safe from any number of writing threads. */
    public void increment() {
        value.increment();
    }

    /** Adds {@code delta} atomically; safe from any number of writing threads. */
    public void add(long delta) {
        value.getAndAdd(delta);
    }

    /** @return the value now; safe from any thread */
    public long get() {
        return value.getAcquire();
    }

    /** @return the stable snake_case name */
    public String name() {
        return name;
    }

    /** @return one line for an operator */
    public String help() {
        return help;
    }

    /** @return counter or gauge */
    public CounterKind kind() {
        return kind;
    }

    /** @return the INFO section that shows it */
    public String section() {
        return section;
    }

    @Override
    public String toString() {
        return name + "=" + get();
    }
}

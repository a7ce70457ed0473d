package io.ringkv.api;

import java.util.List;

/**
 * The counters of one enum of {@link CounterDescriptor}s, registered together: a subsystem keeps this and
 * reaches each counter by its constant, with no map lookup on the hot path.
 *
 * @param <E> the enum that declares the counters
 */
public final class CounterSet<E extends Enum<E> & CounterDescriptor> {
    private final Counter[] counters;

    CounterSet(List<Counter> counters) {
        this.counters = counters.toArray(Counter[]::new);
    }

    /** @return the counter declared by {@code descriptor} */
    public Counter get(E descriptor) {
        return counters[descriptor.ordinal()];
    }

    /** @return the value now of the counter declared by {@code descriptor}; safe from any thread */
    public long value(E descriptor) {
        return counters[descriptor.ordinal()].get();
    }

    @Override
    public String toString() {
        return java.util.Arrays.toString(counters);
    }
}

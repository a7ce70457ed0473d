package io.ringkv.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.ConcurrentCountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * A node's one registry of named counters. Every subsystem registers its counters here at start-up (from
 * {@link NodeContext#counters()}); every reader ({@code INFO}, later {@code /metrics} and the dashboard) iterates
 * {@link #counters()} and needs no list of names of its own.
 *
 * <p>Values live in an Agrona {@link ConcurrentCountersManager} buffer, as Aeron's counters do: each value on its
 * own 128-byte slot (no false sharing between counters of different threads), written with release stores by
 * its owner and read with acquire loads from any thread. Registration is rare and synchronised; reading is not.
 *
 * <p>Names are stable snake_case identifiers ({@code [a-z][a-z0-9_]*}, at most {@value #MAX_NAME_LENGTH}
 * characters), unique within the registry; a second registration of a name is refused.
 */
public final class CounterRegistry {
    /** Counters a registry holds unless told otherwise: room for every subsystem of a node. */
    public static final int DEFAULT_CAPACITY = 512;
    /** Longest counter name. */
    public static final int MAX_NAME_LENGTH = 100;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final ConcurrentCountersManager manager;
    private final int capacity;
    private final Map<String, Counter> byName = new HashMap<>();
    /** Replaced, never mutated, on each registration: readers iterate it without a lock. */
    private volatile List<Counter> ordered = List.of();

    /** A registry with room for {@value #DEFAULT_CAPACITY} counters. */
    public CounterRegistry() {
        this(DEFAULT_CAPACITY);
    }

    /** @param capacity how many counters it can hold (its buffers are allocated now, off the heap) */
    public CounterRegistry(int capacity) {
        if (capacity < 1 || capacity > 64 * 1024) {
            throw new IllegalArgumentException("counter capacity " + capacity + " is not in 1.." + 64 * 1024);
        }
        this.capacity = capacity;
        UnsafeBuffer metadata = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            capacity * CountersReader.METADATA_LENGTH, CountersReader.COUNTER_LENGTH));
        UnsafeBuffer values = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            capacity * CountersReader.COUNTER_LENGTH, CountersReader.COUNTER_LENGTH));
        this.manager = new ConcurrentCountersManager(metadata, values);
    }

    /**
     * Registers one counter.
     *
     * @param name stable snake_case name, unique in this registry
     * @param help one line for an operator
     * @param kind counter or gauge
     * @param section the INFO section that shows it
     * @return the counter, at 0
     * @throws IllegalArgumentException when the name is not snake_case, too long, or already registered, or the
     *     help or section is blank
     * @throws IllegalStateException when the registry is full
     */
    public synchronized Counter register(String name, String help, CounterKind kind, String section) {
        validate(name, help, kind, section);
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("counter " + name + " is already registered");
        }
        if (byName.size() == capacity) {
            throw new IllegalStateException("counter registry is full (" + capacity + " counters); cannot add "
                + name);
        }
        Counter counter = new Counter(manager.newCounter(name, kind.ordinal()), name, help, kind, section);
        byName.put(name, counter);
        List<Counter> next = new ArrayList<>(ordered);
        next.add(counter);
        ordered = Collections.unmodifiableList(next);
        return counter;
    }

    /** Registers one counter as {@code descriptor} declares it; see {@link #register(String, String, CounterKind, String)}. */
    public Counter register(CounterDescriptor descriptor) {
        return register(descriptor.counterName(), descriptor.help(), descriptor.kind(), descriptor.section());
    }

    /**
     * Registers every constant of {@code descriptors}, in declaration order, all or none.
     *
     * @throws IllegalArgumentException when a name is invalid or already registered (nothing is registered then)
     */
    public synchronized <E extends Enum<E> & CounterDescriptor> CounterSet<E> register(Class<E> descriptors) {
        E[] constants = descriptors.getEnumConstants();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (E descriptor : constants) {
            validate(descriptor.counterName(), descriptor.help(), descriptor.kind(), descriptor.section());
            if (byName.containsKey(descriptor.counterName()) || !names.add(descriptor.counterName())) {
                throw new IllegalArgumentException("counter " + descriptor.counterName() + " (of "
                    + descriptors.getSimpleName() + ") is already registered");
            }
        }
        List<Counter> counters = new ArrayList<>(constants.length);
        for (E descriptor : constants) {
            counters.add(register(descriptor));
        }
        return new CounterSet<>(counters);
    }

    /** @return every counter in registration order; a snapshot, safe to iterate from any thread */
    public List<Counter> counters() {
        return ordered;
    }

    /**
     * @return the value now of the counter named {@code name}; safe from any thread
     * @throws IllegalArgumentException when no counter has that name
     */
    public long value(String name) {
        for (Counter counter : ordered) {
            if (counter.name().equals(name)) {
                return counter.get();
            }
        }
        throw new IllegalArgumentException("no counter named " + name);
    }

    private static void validate(String name, String help, CounterKind kind, String section) {
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("counter name " + name + " is not snake_case of at most "
                + MAX_NAME_LENGTH + " characters ([a-z][a-z0-9_]*)");
        }
        if (help == null || help.isBlank() || help.contains("\n")) {
            throw new IllegalArgumentException("counter " + name + " needs a one-line help text");
        }
        if (section == null || section.isBlank()) {
            throw new IllegalArgumentException("counter " + name + " needs a section");
        }
    }

    @Override
    public String toString() {
        return ordered.toString();
    }
}

package io.ringkv.api;

/**
 * A counter declared once, typically as a constant of an enum per subsystem (as Aeron's
 * {@code SystemCounterDescriptor}) holding its {@link CounterSpec}, and registered with
 * {@link CounterRegistry#register(Class)}.
 */
public interface CounterDescriptor {
    /** @return the counter's name, help, kind and INFO section */
    CounterSpec spec();

    /** @return the stable snake_case name: the INFO field, and later the Prometheus name {@code ringkv_<name>} */
    default String counterName() {
        return spec().name();
    }

    /** @return one line for an operator: what the counter counts */
    default String help() {
        return spec().help();
    }

    /** @return whether it only grows or goes up and down */
    default CounterKind kind() {
        return spec().kind();
    }

    /** @return the INFO section that shows it ({@code clients}, {@code stats}, {@code cluster}, {@code storage}...) */
    default String section() {
        return spec().section();
    }
}

package io.ringkv.api;

/**
 * A counter declared once, typically as a constant of an enum per subsystem (as Aeron's
 * {@code SystemCounterDescriptor}), and registered with {@link CounterRegistry#register(Class)}.
 */
public interface CounterDescriptor {
    /** @return the stable snake_case name: the INFO field, and later the Prometheus name {@code ringkv_<name>} */
    String counterName();

    /** @return one line for an operator: what the counter counts */
    String help();

    /** @return whether it only grows or goes up and down */
    CounterKind kind();

    /** @return the INFO section that shows it ({@code clients}, {@code stats}, {@code cluster}, {@code storage}...) */
    String section();
}

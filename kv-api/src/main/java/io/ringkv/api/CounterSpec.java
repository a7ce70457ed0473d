package io.ringkv.api;

import java.util.Objects;

/**
 * What declares one counter: its name, its help line, its kind and the INFO section that shows it. Each constant of a
 * {@link CounterDescriptor} enum holds one.
 *
 * @param name the stable snake_case name: the INFO field, and the Prometheus name {@code ringkv_<name>}
 * @param help one line for an operator: what the counter counts
 * @param kind whether it only grows or goes up and down
 * @param section the INFO section that shows it ({@code clients}, {@code stats}, {@code cluster}, {@code storage}...)
 */
public record CounterSpec(String name, String help, CounterKind kind, String section) {
    /** @throws NullPointerException when a part is missing */
    public CounterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(section, "section");
    }
}

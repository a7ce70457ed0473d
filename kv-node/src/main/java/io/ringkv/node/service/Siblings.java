package io.ringkv.node.service;

import io.ringkv.api.Value;
import java.util.List;
import java.util.Objects;

/**
 * What a versioned read found: the concurrent values of one key (none when it has no value) and the causal
 * context that covers all of them.
 *
 * @param context pass it back with the next write of the key to supersede every value here
 * @param values the sibling values, in the service's order
 */
public record Siblings(CausalContext context, List<Value> values) {
    /** No value and no context. */
    public static final Siblings NONE = new Siblings(CausalContext.NONE, List.of());

    /** Copies {@code values}. */
    public Siblings {
        Objects.requireNonNull(context, "context");
        values = List.copyOf(values);
    }
}

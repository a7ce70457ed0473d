import io.ringkv.api.ConflictResolver;
import io.ringkv.resolver.fixture.LargestValueResolver;

/**
 * A conflict resolver from outside ringkv: it depends only on the published API and reaches a node as a jar on
 * the module path.
 */
module io.ringkv.resolver.fixture {
    requires io.ringkv.api;

    provides ConflictResolver with LargestValueResolver;
}

package io.ringkv.ring.internal;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.api.Node;
import io.ringkv.ring.Ring;
import io.ringkv.ring.TokenAllocators;

/** Checks the arguments every token allocator receives. */
final class AllocationRequests {
    private AllocationRequests() {
    }

    static void check(Ring current, Node joining, int vnodes) {
        if (current.contains(joining.id())) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "node " + joining.id() + " is already on the ring");
        }
        if (vnodes < 1 || vnodes > TokenAllocators.MAX_VNODES) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT,
                "vnodes must be 1–" + TokenAllocators.MAX_VNODES + ", was " + vnodes);
        }
    }
}

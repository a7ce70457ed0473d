/**
 * The ring: {@link io.ringkv.ring.Partitioner} maps keys to 64-bit tokens, a {@link io.ringkv.ring.Ring}
 * snapshot maps tokens to {@link io.ringkv.ring.PreferenceList}s of N distinct nodes (rack aware),
 * {@link io.ringkv.ring.TokenAllocators} choose a joining node's virtual-node tokens and
 * {@link io.ringkv.ring.OwnershipDiff} lists the data that moves between two snapshots.
 */
package io.ringkv.ring;

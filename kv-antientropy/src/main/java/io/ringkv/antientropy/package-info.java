/**
 * Anti-entropy's data structures, pure and I/O-free: a {@link io.ringkv.antientropy.RangeTree} per token range
 * (leaves of XORed {@link io.ringkv.antientropy.KeyHash}es, branches and a root, each write an O(1) update), its
 * geometry {@link io.ringkv.antientropy.TreeShape}, the level-by-level comparison
 * {@link io.ringkv.antientropy.TreeDiff}, and {@link io.ringkv.antientropy.LeafDigest}, the (key, hash) list of one
 * differing leaf that decides which keys' version sets two replicas exchange. Nothing here blocks, spawns threads
 * or touches storage; a tree's owner (the storage stage) feeds it.
 */
package io.ringkv.antientropy;

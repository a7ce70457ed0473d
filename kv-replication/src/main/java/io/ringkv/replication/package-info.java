/**
 * Replication: {@link io.ringkv.replication.Replication} wires one node's {@link io.ringkv.replication.Coordinator}
 * (quorum reads and writes with read repair) and {@link io.ringkv.replication.Replica} (versioned, durable writes
 * into one storage record per key) to the node's transport; {@link io.ringkv.replication.ConflictResolvers} finds
 * the {@code lww} and {@code vector-clock} resolvers, and third-party ones, by name. I/O-free state machines
 * written against the Transport and Clock seams, so they run unchanged in the deterministic simulator.
 */
package io.ringkv.replication;

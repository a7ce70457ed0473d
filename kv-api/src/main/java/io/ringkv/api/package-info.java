/**
 * ringkv's shared types: {@link io.ringkv.api.Key} and {@link io.ringkv.api.Value} with enforced
 * {@link io.ringkv.api.Limits}, node identity ({@link io.ringkv.api.NodeId}, {@link io.ringkv.api.Node}),
 * replication settings ({@link io.ringkv.api.Consistency}, {@link io.ringkv.api.ConsistencyLevel}) and the
 * typed error {@link io.ringkv.api.KvException}. Versioning types (vector clocks, hybrid timestamps, sibling
 * sets) and the runtime seams (transport, clock) join this package as the protocol modules need them.
 */
package io.ringkv.api;

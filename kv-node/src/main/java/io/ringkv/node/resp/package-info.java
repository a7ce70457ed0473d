/**
 * The Redis-protocol (RESP2 and RESP3) front door: a small NIO server on one selector thread that parses
 * requests incrementally, answers them through a {@link io.ringkv.node.service.KeyValueService} in request order,
 * and bounds every buffer it keeps. Start one with {@link io.ringkv.node.resp.RespServer#start}.
 */
package io.ringkv.node.resp;

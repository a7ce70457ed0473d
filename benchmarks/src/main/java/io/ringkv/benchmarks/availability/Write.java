package io.ringkv.benchmarks.availability;

/**
 * One write of the experiment.
 *
 * @param time when it arrives (virtual seconds)
 * @param token its key's token
 */
public record Write(double time, long token) {
}

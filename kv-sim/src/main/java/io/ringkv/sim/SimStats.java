package io.ringkv.sim;

/**
 * What the simulated network did.
 *
 * @param sent messages accepted by a transport
 * @param delivered messages handed to a live node (duplicates included)
 * @param dropped messages lost to the drop rate
 * @param blocked messages lost to a partition or blocked link
 * @param duplicated extra copies delivered
 * @param lostToDownNode messages that arrived at a crashed node
 * @param timersFired timers that fired
 */
public record SimStats(long sent, long delivered, long dropped, long blocked, long duplicated, long lostToDownNode,
                       long timersFired) {
}

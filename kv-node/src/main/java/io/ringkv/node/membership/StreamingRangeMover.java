package io.ringkv.node.membership;

import io.ringkv.antientropy.RangeStreamer;
import io.ringkv.antientropy.StreamPlan;
import io.ringkv.gossip.RangeMover;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Moves a join's or leave's ranges by repair-based streaming: the {@link StreamPlan} of the move, run by a
 * {@link RangeStreamer}, which retries each failed session until it completes (so a move never gives up).
 */
final class StreamingRangeMover implements RangeMover {
    private final RangeStreamer streamer;
    private final Consumer<String> events;

    /** @param events receives one line per move started */
    StreamingRangeMover(RangeStreamer streamer, Consumer<String> events) {
        this.streamer = streamer;
        this.events = events;
    }

    @Override
    public void move(Move move, Listener listener) {
        List<StreamPlan.Task> plan = new ArrayList<>(move.direction() == Direction.RECEIVE
            ? StreamPlan.joining(move.current(), move.future(), move.self())
            : StreamPlan.leaving(move.current(), move.future(), move.self()));
        plan.removeIf(task -> move.skip().contains(task.peer()));
        events.accept("streaming " + plan.size() + " range sessions to " + move.direction().purpose());
        // the streamer's counts of keys, bytes and failures run over the node's life: this move's are what it adds
        // from here
        RangeStreamer.Progress before = streamer.progress();
        streamer.stream(plan, progress -> listener.progress(progress(progress.since(before))),
            () -> listener.finished(progress(streamer.progress().since(before))));
    }

    private static Progress progress(RangeStreamer.Progress progress) {
        return new Progress(progress.done(), progress.total(), progress.failures(), progress.lastFailure(),
            progress.toString(), progress.bytes());
    }
}

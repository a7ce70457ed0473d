package io.ringkv.benchmarks.availability;

import io.ringkv.api.NodeId;
import io.ringkv.replication.LivenessView;
import io.ringkv.replication.SloppyQuorum;

/**
 * Whether a write succeeds, judged the way the coordinator judges it (N = 3, W = 2 by default), from the targets
 * {@link SloppyQuorum#select} chose with the liveness view and from which of those nodes really answer.
 * A node the view believes alive but that is really down does not answer: a write that needed it times out.
 */
public final class WriteRule {
    /** How a write ended; every failure names its cause. */
    public enum Outcome {
        /** W targets answered. */
        SUCCESS,
        /** Fewer than W owners (strict) or owners + substitutes (sloppy) were believed alive: UNAVAILABLE at once. */
        TOO_FEW_OWNERS,
        /** Enough targets were believed alive, but some were really down and fewer than W answered: TIMEOUT. */
        TIMED_OUT,
        /** Sloppy quorum: no owner of the key was believed alive to coordinate the write and issue its dot. */
        NO_OWNER
    }

    private final int w;

    /** @param w acknowledgements a write needs, at least 1 */
    public WriteRule(int w) {
        if (w < 1) {
            throw new IllegalArgumentException("W must be at least 1, was " + w);
        }
        this.w = w;
    }

    /**
     * Sloppy quorum off (or on in mode STRICT, whose substitutes never count): W of the key's own owners must be
     * believed alive and answer.
     *
     * @param targets the selection (its substitutes are ignored)
     * @param answers which nodes really answer
     */
    public Outcome strict(SloppyQuorum.Targets targets, LivenessView answers) {
        if (targets.liveOwners() < w) {
            return Outcome.TOO_FEW_OWNERS;
        }
        return answeringOwners(targets, answers) >= w ? Outcome.SUCCESS : Outcome.TIMED_OUT;
    }

    /**
     * Sloppy quorum on, mode COUNT: an owner believed alive coordinates, and live owners plus substitutes must
     * reach W; the write succeeds when one owner and W targets in all answer.
     *
     * @param targets the selection with substitutes
     * @param answers which nodes really answer
     */
    public Outcome sloppy(SloppyQuorum.Targets targets, LivenessView answers) {
        int liveOwners = targets.liveOwners();
        if (liveOwners == 0) {
            return Outcome.NO_OWNER;
        }
        if (liveOwners + targets.substituted() < w) {
            return Outcome.TOO_FEW_OWNERS;
        }
        int owners = answeringOwners(targets, answers);
        if (owners == 0) {
            // the owner the write went to is really down: no reply at all
            return Outcome.TIMED_OUT;
        }
        return owners + answeringSubstitutes(targets, answers) >= w ? Outcome.SUCCESS : Outcome.TIMED_OUT;
    }

    private static int answeringOwners(SloppyQuorum.Targets targets, LivenessView answers) {
        int count = 0;
        for (int i = 0; i < targets.owners().size(); i++) {
            if (targets.alive()[i] && answers.isAlive(targets.owners().get(i))) {
                count++;
            }
        }
        return count;
    }

    private static int answeringSubstitutes(SloppyQuorum.Targets targets, LivenessView answers) {
        int count = 0;
        for (NodeId substitute : targets.substitutes()) {
            if (substitute != null && answers.isAlive(substitute)) {
                count++;
            }
        }
        return count;
    }
}

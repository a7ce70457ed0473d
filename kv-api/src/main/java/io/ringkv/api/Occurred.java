package io.ringkv.api;

/**
 * How one version relates causally to another: the result of {@link Version#compare(Version)} and
 * {@link VectorClock#compare(VectorClock)}.
 */
public enum Occurred {
    /** This version happened before the other: the other supersedes it. */
    BEFORE,
    /** This version happened after the other: it supersedes the other. */
    AFTER,
    /** The same write (the same dot), or identical clocks. */
    EQUAL,
    /** Neither saw the other: both must be kept (siblings) or settled by a resolver. */
    CONCURRENT
}

package io.ringkv.api;

import java.io.Serial;
import java.util.Objects;

/**
 * The one exception type ringkv's public API throws: a {@link ErrorCode} plus a message written for the person
 * who has to act on it.
 */
public final class KvException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code what kind of failure this is
     * @param message a message that names the offending value and the allowed range
     */
    public KvException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * @param code what kind of failure this is
     * @param message a message that names the offending value and the allowed range
     * @param cause the underlying failure
     */
    public KvException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @return the kind of failure */
    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}

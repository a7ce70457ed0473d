package io.ringkv.node.cli;

import java.io.Serial;

/** The command line was wrong: the message says what and how to fix it. */
public final class UsageException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong and what is accepted */
    public UsageException(String message) {
        super(message);
    }
}

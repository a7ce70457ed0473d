package io.ringkv.node.http;

import io.ringkv.api.KvException;
import java.nio.charset.StandardCharsets;

/**
 * Why an HTTP key-value request failed: its status, an error word a program can switch on, and a message for a
 * person. The words are RESP's where RESP has one ({@code UNAVAILABLE}, {@code LOADING}, {@code TIMEOUT},
 * {@code CLOSED}, {@code DISKFULL}), so both front doors report a failure alike (request metrics label it by that
 * word), and the {@link io.ringkv.api.ErrorCode} name otherwise.
 */
final class HttpProblem extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    HttpProblem(int status, String error, String message) {
        super(message == null ? "" : message, null, false, false);
        this.status = status;
        this.error = error;
    }

    /** @return the status and word of {@code failure}: a {@link KvException} by its code, anything else a 500 */
    static HttpProblem of(Throwable failure) {
        if (!(failure instanceof KvException kv)) {
            return new HttpProblem(500, "INTERNAL", "internal error: " + failure);
        }
        return switch (kv.code()) {
            case INVALID_ARGUMENT, INVALID_CONSISTENCY -> new HttpProblem(400, kv.code().name(), kv.getMessage());
            case KEY_TOO_LARGE, VALUE_TOO_LARGE -> new HttpProblem(413, kv.code().name(), kv.getMessage());
            case UNAVAILABLE, CLOSED -> new HttpProblem(503, kv.code().name(), kv.getMessage());
            case LOADING -> new HttpProblem(503, "LOADING", kv.getMessage());
            case TIMEOUT -> new HttpProblem(504, "TIMEOUT", kv.getMessage());
            case DISK_FULL -> new HttpProblem(507, "DISKFULL", kv.getMessage());
            default -> new HttpProblem(500, kv.code().name(), kv.getMessage());
        };
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    /** @return the JSON body: {@code {"error":"UNAVAILABLE","message":"..."}} and a new line */
    byte[] json() {
        return ("{\"error\":" + Json.string(error) + ",\"message\":" + Json.string(getMessage()) + "}\n")
            .getBytes(StandardCharsets.UTF_8);
    }

    /** @return the error as request metrics record it: the word, then the message */
    String forMetrics() {
        return error + " " + getMessage();
    }
}

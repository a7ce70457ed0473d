package io.ringkv.node.resp;

import java.io.Serial;

/** A client sent bytes that are not a RESP request; the connection is answered and closed. */
final class RespProtocolException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    RespProtocolException(String message) {
        super(message, null, false, false);
    }
}

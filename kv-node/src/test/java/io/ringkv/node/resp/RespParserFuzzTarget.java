package io.ringkv.node.resp;

import java.nio.ByteBuffer;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): any bytes a client sends, split anywhere, parse into
 * requests or fail with a {@link RespProtocolException}; never another exception, and never more memory than the
 * limits allow (the first byte picks where the input is split, so a request cut across reads is covered).
 */
public final class RespParserFuzzTarget {
    private RespParserFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int chunk = 1 + (data[0] & 0x3f);
        RespParser parser = new RespParser(16 * 1024, 64 * 1024);
        try {
            for (int at = 1; at < data.length; at += chunk) {
                ByteBuffer in = ByteBuffer.wrap(data, at, Math.min(chunk, data.length - at));
                while (in.hasRemaining()) {
                    if (parser.parse(in) && parser.request().isEmpty()) {
                        throw new IllegalStateException("a complete request without arguments");
                    }
                }
            }
        } catch (RespProtocolException e) {
            // answered with Redis' protocol error and the connection closed
        }
    }
}

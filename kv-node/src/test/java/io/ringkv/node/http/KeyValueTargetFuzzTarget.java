package io.ringkv.node.http;

import io.ringkv.api.Consistency;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target (Jazzer, {@code benchmarks/scripts/fuzz.sh}): any path and query a client sends to {@code /kv/} is
 * read as a key, a consistency and an expiry, or refused with a {@link KvException} (answered 400 or 413); never
 * another exception (which would answer 500).
 */
public final class KeyValueTargetFuzzTarget {
    private KeyValueTargetFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        int question = text.indexOf('?');
        String path = "/kv/" + (question < 0 ? text : text.substring(0, question));
        String query = question < 0 ? null : text.substring(question + 1);
        try {
            KeyValueTarget.parse(path, query, Limits.DEFAULT, Consistency.DEFAULT);
        } catch (KvException e) {
            // a 400 or 413 with the reason
        }
    }
}

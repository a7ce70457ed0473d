package io.ringkv.node.http;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.node.service.ConsistencyText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What an HTTP key-value request names in its URL: the key (the path after {@value #PREFIX}, percent-decoded to
 * bytes; {@code +} is a plus, not a space) and the consistency ({@code ?consistency=one|quorum|all}, or
 * {@code ?r=<n>&w=<n>}, either or both, read as RESP's {@code CONSISTENCY} reads them; the node's default
 * otherwise), and for a write its time to live ({@code ?ttl=<seconds>}, a positive integer, as {@code SET ... EX}).
 *
 * @param key the key, within the node's limits
 * @param consistency the request's consistency
 * @param expiry the write's expiry, {@link Expiry#NONE} without {@code ttl}
 */
record KeyValueTarget(Key key, Consistency consistency, Expiry expiry) {
    /** The path every key is under. */
    static final String PREFIX = "/kv/";

    /**
     * @param rawPath the request's path, still percent-encoded
     * @param rawQuery the request's query, still percent-encoded, or null
     * @throws KvException with {@code INVALID_ARGUMENT} for a path without a key, a bad escape or an unknown or
     *     repeated parameter; {@code INVALID_CONSISTENCY} for a consistency RESP would refuse; {@code KEY_TOO_LARGE}
     */
    static KeyValueTarget parse(String rawPath, String rawQuery, Limits limits, Consistency defaults) {
        if (!rawPath.startsWith(PREFIX) || rawPath.length() == PREFIX.length()) {
            throw invalid("the path names no key: use " + PREFIX + "{key}");
        }
        Key key = Key.of(percentDecode(rawPath.substring(PREFIX.length())), limits);
        Map<String, String> parameters = parameters(rawQuery);
        return new KeyValueTarget(key, consistency(parameters, defaults), expiry(parameters.get("ttl")));
    }

    private static Expiry expiry(String ttl) {
        if (ttl == null) {
            return Expiry.NONE;
        }
        long seconds;
        try {
            seconds = Long.parseLong(ttl);
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        // the node's writes count a time to live from their own timestamp: only the range is checked here
        return Expiry.ofAmount(seconds, 1000, false, 0).orElseThrow(() -> invalid(
            "ttl must be a whole number of seconds from 1 to " + Long.MAX_VALUE / 1000 + ", was '" + ttl + "'"));
    }

    private static Consistency consistency(Map<String, String> parameters, Consistency defaults) {
        String named = parameters.get("consistency");
        String reads = parameters.get("r");
        String writes = parameters.get("w");
        if (named != null && (reads != null || writes != null)) {
            throw invalid("give either consistency= or r= and w=, not both");
        }
        if (named != null) {
            return ConsistencyText.parse(named, defaults);
        }
        if (reads == null && writes == null) {
            return defaults;
        }
        String text = reads == null ? "W=" + writes : writes == null ? "R=" + reads : "R=" + reads + ",W=" + writes;
        return ConsistencyText.parse(text, defaults);
    }

    private static Map<String, String> parameters(String rawQuery) {
        Map<String, String> parameters = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&", -1)) {
            int equals = pair.indexOf('=');
            String name = text(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : text(pair.substring(equals + 1));
            if (!java.util.Set.of("consistency", "r", "w", "ttl").contains(name)) {
                throw invalid("unknown parameter '" + name + "': the parameters are consistency, r, w and ttl");
            }
            if (parameters.put(name, value) != null) {
                throw invalid("parameter '" + name + "' is given twice");
            }
        }
        return parameters;
    }

    private static String text(String raw) {
        return new String(percentDecode(raw), StandardCharsets.UTF_8);
    }

    /**
     * @return the bytes {@code raw} stands for: each {@code %XX} one byte, any other character itself
     * @throws KvException with {@code INVALID_ARGUMENT} for a character beyond ASCII: the HTTP server reads the
     *     request line's bytes one character each, so a key sent as raw UTF-8 would be stored under other bytes
     *     than the client's (a URL must percent-encode them)
     */
    static byte[] percentDecode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 0x80) {
                throw invalid("a byte beyond ASCII in the URL: percent-encode the key's UTF-8 bytes (é as %C3%A9)");
            }
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (low < 0) {
                throw invalid("bad percent escape in '" + raw + "': % must be followed by two hex digits");
            }
            bytes.write(high << 4 | low);
            i += 2;
        }
        return bytes.toByteArray();
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_ARGUMENT, message);
    }
}

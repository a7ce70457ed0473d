package io.ringkv.node.transport;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;

/**
 * Where a peer listens for node-to-node messages: a host and a UDP port.
 *
 * @param host host name or IP address
 * @param port UDP port, 1–65535
 */
public record PeerAddress(String host, int port) {
    /** @throws KvException with {@code INVALID_ARGUMENT} for an empty host or a port out of range */
    public PeerAddress {
        if (host == null || host.isBlank() || host.contains("|") || host.contains("?")) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "peer host must be a host name or address, was '" + host + "'");
        }
        if (port < 1 || port > 65_535) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "peer port must be 1–65535, was " + port);
        }
    }

    /**
     * Parses {@code host:port}.
     *
     * @throws KvException with {@code INVALID_ARGUMENT} naming the expected form
     */
    public static PeerAddress parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "expected host:port, was '" + text + "'");
        }
        try {
            return new PeerAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "expected host:port with a numeric port, was '" + text + "'");
        }
    }

    /** @return the Aeron UDP channel that reaches this address */
    String channel(int termLength) {
        return "aeron:udp?endpoint=" + host + ":" + port + "|term-length=" + termLength;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}

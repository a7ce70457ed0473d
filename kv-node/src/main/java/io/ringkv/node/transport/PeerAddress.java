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

    /**
     * The datagram size for a peer on this machine's loopback interface, whose MTU (64 KiB) never fragments it:
     * replica messages queued for the peer in one agent cycle share a datagram (a 1 KiB write each, which Aeron's
     * default of 1,408 bytes sends one per datagram), and a 10 KiB value travels in two datagrams instead of eight.
     * Peers elsewhere keep Aeron's default, below the usual 1,500-byte network MTU.
     */
    static final int LOOPBACK_MTU = 8192;

    /** @return the Aeron UDP channel that receives at this address */
    String channel(int termLength) {
        return "aeron:udp?endpoint=" + host + ":" + port + "|term-length=" + termLength;
    }

    /** @return the Aeron UDP channel that sends to this address: {@link #LOOPBACK_MTU} datagrams on loopback */
    String publicationChannel(int termLength) {
        return isLoopback() ? channel(termLength) + "|mtu=" + LOOPBACK_MTU : channel(termLength);
    }

    /**
     * @return true for {@code localhost}, an IPv4 literal in 127.0.0.0/8 and {@code ::1}: known without a name
     *     lookup (which would block the agent thread)
     */
    boolean isLoopback() {
        if (host.equals("localhost") || host.equals("::1") || host.equals("[::1]")) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}

package io.ringkv.node.auth;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Redis' protected mode, as a start-up check: a node whose client ports listen beyond the loopback interface must
 * have users, unless the operator says explicitly that the network is trusted. A node on 127.0.0.1 (the default)
 * needs neither.
 */
public final class ProtectedMode {
    private ProtectedMode() {
    }

    /**
     * @param host the address the Redis-protocol and HTTP ports listen on
     * @param users whether a users file is configured
     * @param allowUnauthenticated the operator's explicit choice to serve without users anyway
     * @throws KvException with {@code INVALID_CONFIGURATION} naming the options to set, when {@code host} is not
     *     a loopback address and neither users nor the override are given
     */
    public static void check(String host, boolean users, boolean allowUnauthenticated) {
        if (users || allowUnauthenticated || loopback(host)) {
            return;
        }
        throw new KvException(ErrorCode.INVALID_CONFIGURATION, "refusing to start: the client ports would listen on "
            + host + ", which is not a loopback address, and no users are configured, so anyone who reaches the"
            + " ports could read and write everything. Set --users-file PATH (add users with 'ringkv user add'),"
            + " or --allow-unauthenticated to serve without authentication on a network you trust.");
    }

    /** @return true when every address {@code host} names is a loopback one (false for a name that does not resolve) */
    public static boolean loopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            // the bind fails on it anyway, with its own message
            return false;
        }
    }
}

package io.ringkv.node.resp;

import io.ringkv.api.CounterSet;
import io.ringkv.node.auth.AuthCounter;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.User;

/**
 * Decides whether a connection may run a command: with users configured, only the {@code no_auth} commands (AUTH,
 * HELLO, QUIT) before a login, and after it only the commands the user's permission covers, judged by the command's
 * flags ({@link CommandSpec#requiredPermission()}). Without users every command runs.
 */
final class AccessGate {
    static final Reply NOAUTH = Reply.error("NOAUTH Authentication required.");

    private final Authenticator authenticator;
    private final CounterSet<AuthCounter> counters;

    AccessGate(Authenticator authenticator) {
        this.authenticator = authenticator;
        this.counters = authenticator.counters();
    }

    /** @return true when {@code session} must log in before it may run anything but AUTH, HELLO and QUIT */
    boolean awaitsLogin(ClientSession session) {
        return authenticator.required() && session.user() == null;
    }

    /** @return the error that refuses {@code spec} to {@code session}, or null when it may run; counts refusals */
    Reply refusal(CommandSpec spec, ClientSession session) {
        if (!authenticator.required()) {
            return null;
        }
        User user = session.user();
        if (user == null) {
            if (spec.beforeLogin()) {
                return null;
            }
            counters.get(AuthCounter.UNAUTHENTICATED).increment();
            return NOAUTH;
        }
        if (user.permission().permits(spec.requiredPermission())) {
            return null;
        }
        counters.get(AuthCounter.DENIED_COMMANDS).increment();
        return Reply.error("NOPERM User " + user.name() + " has no permissions to run the '" + spec.name()
            + "' command");
    }
}

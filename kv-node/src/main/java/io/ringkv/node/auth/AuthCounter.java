package io.ringkv.node.auth;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/**
 * What client authentication refused and accepted, over the Redis-protocol port and the HTTP API, in the node's
 * counter registry ({@code INFO stats}, {@code /metrics}); written from any thread. The {@code acl_access_denied_*}
 * names are Redis' own.
 */
public enum AuthCounter implements CounterDescriptor {
    LOGINS("auth_logins", "logins that succeeded (AUTH, HELLO AUTH, HTTP basic)"),
    LOGINS_CACHED("auth_logins_cached",
        "logins that matched a password already verified in this process, without the slow hash"),
    FAILED_LOGINS("acl_access_denied_auth",
        "logins refused for an unknown user or a wrong password (each answered after the failure delay)"),
    LOGINS_BUSY("auth_logins_refused_busy",
        "logins refused at once because too many were being verified already"),
    UNAUTHENTICATED("auth_required_rejections",
        "requests refused because the client had not logged in (NOAUTH, HTTP 401 without credentials)"),
    DENIED_COMMANDS("acl_access_denied_cmd",
        "requests refused because the user's permission does not allow them (NOPERM, HTTP 403)");

    private final CounterSpec spec;

    AuthCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.COUNTER, "stats");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}

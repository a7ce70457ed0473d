package io.ringkv.node.http;

import io.ringkv.api.CounterDescriptor;
import io.ringkv.api.CounterKind;
import io.ringkv.api.CounterSpec;

/** What the HTTP key-value front door refused or gave up on, in the node's counter registry (any thread). */
public enum HttpCounter implements CounterDescriptor {
    QUEUE_FULL("http_requests_refused_queue_full",
        "HTTP key-value requests answered 503 at once because the HTTP front door's queue was full"),
    UNANSWERED("http_requests_unanswered",
        "HTTP key-value requests answered 504 because the node gave no answer within the front door's wait"),
    REFUSED_HOST("http_requests_refused_host",
        "HTTP requests answered 421 because a loopback node without users was named by a name not its own (a web"
            + " page's, by DNS rebinding)"),
    FAILURES("http_front_door_failures",
        "exceptions the HTTP front door's thread caught from its service or an answer (a bug); it serves on");

    private final CounterSpec spec;

    HttpCounter(String counterName, String help) {
        this.spec = new CounterSpec(counterName, help, CounterKind.COUNTER, "stats");
    }

    @Override
    public CounterSpec spec() {
        return spec;
    }
}

package io.ringkv.node.resp;

import static io.ringkv.node.resp.CommandDispatcher.text;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.Value;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The data commands, answered through the {@link KeyValueService} at the connection's consistency: GET, SET,
 * DEL, EXISTS, MGET, MSET, and ringkv's GETV and SETV for siblings and causal contexts. Keys and values are
 * checked against the limits before the service sees them.
 */
final class KeyValueCommands {
    // contexts travel as base64url text, so they survive redis-cli and every client library unchanged
    private static final Base64.Encoder CONTEXT_TEXT = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder CONTEXT_BYTES = Base64.getUrlDecoder();
    /** Keys one MGET, MSET, DEL or EXISTS may name. */
    static final int MAX_KEYS_PER_COMMAND = 1000;
    private final KeyValueService service;
    private final Limits limits;

    KeyValueCommands(KeyValueService service, Limits limits) {
        this.service = service;
        this.limits = limits;
    }

    void registerIn(CommandDispatcher table) {
        table.register(CommandSpec.keyed("get", 2, "readonly fast", 1, 1, "string",
            "Returns the value of a key.",
            this::get));
        table.register(CommandSpec.keyed("set", -3, "write", 1, 1, "string",
            "Sets the value of a key (no expiry or conditions yet).",
            this::set));
        table.register(CommandSpec.keyed("del", -2, "write", -1, 1, "generic",
            "Deletes keys; returns how many had a value.",
            this::del));
        table.register(CommandSpec.keyed("exists", -2, "readonly fast", -1, 1, "generic",
            "Counts the given keys that have a value.",
            this::exists));
        table.register(CommandSpec.keyed("mget", -2, "readonly fast", -1, 1, "string",
            "Returns the values of keys.",
            this::mget));
        table.register(CommandSpec.keyed("mset", -3, "write", -1, 2, "string",
            "Sets the values of keys.",
            this::mset));
        table.register(CommandSpec.keyed("getv", 2, "readonly", 1, 1, "ringkv",
            "Returns a key's causal context and all its sibling values: [context, [values...]].",
            this::getVersions));
        table.register(CommandSpec.keyed("setv", 4, "write", 1, 1, "ringkv",
            "Sets a key's value, superseding the versions a causal context from GETV names: SETV key context value.",
            this::setVersioned));
        table.register(CommandSpec.keyless("removenode", 2, "admin", "ringkv",
            "Marks a node judged DOWN as removed from the cluster: REMOVENODE id.",
            this::removeNode));
    }

    private void removeNode(List<byte[]> arguments, CommandContext context) {
        io.ringkv.api.NodeId node = io.ringkv.api.NodeId.of(text(arguments.get(1)));
        answer(context, true, service.removeNode(node), done -> Reply.OK);
    }

    private void get(List<byte[]> arguments, CommandContext context) {
        Key key = key(arguments.get(1));
        answer(context, false, service.get(key, consistency(context)), KeyValueCommands::valueReply);
    }

    private void set(List<byte[]> arguments, CommandContext context) {
        for (int i = 3; i < arguments.size(); i++) {
            String option = text(arguments.get(i)).toUpperCase(Locale.ROOT);
            String missing = switch (option) {
                case "NX", "XX" -> "conditional writes";
                case "EX", "PX", "EXAT", "PXAT", "KEEPTTL" -> "expiry";
                case "GET" -> "returning the old value";
                default -> null;
            };
            context.reply(missing == null ? Reply.error("ERR syntax error")
                : Reply.error("ERR SET option " + option + " is not supported by ringkv yet (no " + missing
                    + "); nothing was written"));
            return;
        }
        Key key = key(arguments.get(1));
        Value value = value(arguments.get(2));
        answer(context, true, service.put(key, value, CausalContext.NONE, consistency(context)), done -> Reply.OK);
    }

    private void del(List<byte[]> arguments, CommandContext context) {
        List<Key> keys = keys(arguments, 1, 1);
        List<CompletionStage<Boolean>> deletes = new ArrayList<>();
        for (Key key : keys) {
            deletes.add(service.delete(key, consistency(context)));
        }
        answer(context, true, all(deletes), existed -> Reply.integer(existed.stream().filter(b -> b).count()));
    }

    private void exists(List<byte[]> arguments, CommandContext context) {
        answer(context, false, getAll(keys(arguments, 1, 1), context),
            values -> Reply.integer(values.stream().filter(Optional::isPresent).count()));
    }

    private void mget(List<byte[]> arguments, CommandContext context) {
        answer(context, false, getAll(keys(arguments, 1, 1), context),
            values -> new Reply.Array(values.stream().map(KeyValueCommands::valueReply).toList()));
    }

    private void mset(List<byte[]> arguments, CommandContext context) {
        if (arguments.size() % 2 == 0) {
            context.reply(Reply.error("ERR wrong number of arguments for 'mset' command"));
            return;
        }
        List<Key> keys = keys(arguments, 1, 2);
        List<Value> values = new ArrayList<>();
        for (int i = 2; i < arguments.size(); i += 2) {
            values.add(value(arguments.get(i)));
        }
        List<CompletionStage<Void>> puts = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            puts.add(service.put(keys.get(i), values.get(i), CausalContext.NONE, consistency(context)));
        }
        answer(context, true, all(puts), done -> Reply.OK);
    }

    private void getVersions(List<byte[]> arguments, CommandContext context) {
        Key key = key(arguments.get(1));
        answer(context, false, service.getVersions(key, consistency(context)), siblings -> new Reply.Array(List.of(
            new Reply.Bulk(CONTEXT_TEXT.encode(siblings.context().toByteArray())),
            new Reply.Array(siblings.values().stream().map(v -> (Reply) new Reply.Bulk(v.toByteArray())).toList()))));
    }

    private void setVersioned(List<byte[]> arguments, CommandContext context) {
        Key key = key(arguments.get(1));
        CausalContext causalContext;
        try {
            causalContext = CausalContext.handedBack(CONTEXT_BYTES.decode(arguments.get(2)));
        } catch (IllegalArgumentException e) {
            context.reply(Reply.error("ERR invalid causal context: pass back the first element GETV returned"));
            return;
        }
        Value value = value(arguments.get(3));
        answer(context, true, service.put(key, value, causalContext, consistency(context)), done -> Reply.OK);
    }

    private CompletionStage<List<Optional<Value>>> getAll(List<Key> keys, CommandContext context) {
        List<CompletionStage<Optional<Value>>> gets = new ArrayList<>();
        for (Key key : keys) {
            gets.add(service.get(key, consistency(context)));
        }
        return all(gets);
    }

    /**
     * Reserves the reply's place, then fills it when {@code stage} completes (on whatever thread). The service is
     * called before this, so a call that throws leaves no slot behind that would never be filled.
     */
    private static <T> void answer(CommandContext context, boolean write, CompletionStage<T> stage,
                                   Function<T, Reply> toReply) {
        ReplySlot slot = context.defer(write);
        stage.whenComplete((result, failure) -> {
            if (failure != null) {
                slot.fail(failure);
                return;
            }
            Reply reply;
            try {
                reply = toReply.apply(result);
            } catch (RuntimeException e) {
                slot.fail(e);
                return;
            }
            slot.complete(reply);
        });
    }

    /** Completes with every result in order, or with the first failure. */
    private static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
        CompletableFuture<List<T>> all = new CompletableFuture<>();
        AtomicReferenceArray<T> results = new AtomicReferenceArray<>(stages.size());
        AtomicInteger remaining = new AtomicInteger(stages.size());
        for (int i = 0; i < stages.size(); i++) {
            int index = i;
            stages.get(i).whenComplete((result, failure) -> {
                if (failure != null) {
                    all.completeExceptionally(failure);
                    return;
                }
                results.set(index, result);
                if (remaining.decrementAndGet() == 0) {
                    List<T> ordered = new ArrayList<>(stages.size());
                    for (int j = 0; j < stages.size(); j++) {
                        ordered.add(results.get(j));
                    }
                    all.complete(ordered);
                }
            });
        }
        return all;
    }

    private static Reply valueReply(Optional<Value> value) {
        return value.<Reply>map(v -> new Reply.Bulk(v.toByteArray())).orElse(Reply.NULL);
    }

    private static Consistency consistency(CommandContext context) {
        return context.session().consistency();
    }

    private Key key(byte[] bytes) {
        return Key.of(bytes, limits);
    }

    private Value value(byte[] bytes) {
        return Value.of(bytes, limits);
    }

    private List<Key> keys(List<byte[]> arguments, int first, int step) {
        int count = (arguments.size() - first + step - 1) / step;
        if (count > MAX_KEYS_PER_COMMAND) {
            // every key becomes a task on the node's shared queue and a slot in the reply: bound both per request
            throw new KvException(ErrorCode.INVALID_ARGUMENT, "too many keys in one command: " + count
                + "; the limit is " + MAX_KEYS_PER_COMMAND + ", nothing was done");
        }
        List<Key> keys = new ArrayList<>();
        for (int i = first; i < arguments.size(); i += step) {
            keys.add(key(arguments.get(i)));
        }
        return keys;
    }
}

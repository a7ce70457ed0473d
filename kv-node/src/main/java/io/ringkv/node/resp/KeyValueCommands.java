package io.ringkv.node.resp;

import static io.ringkv.node.resp.CommandDispatcher.text;

import io.ringkv.api.Consistency;
import io.ringkv.api.ErrorCode;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.KvException;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.Value;
import io.ringkv.node.service.Answer;
import io.ringkv.node.service.AnswerChannel;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.Siblings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The data commands, answered through the {@link KeyValueService} at the connection's consistency: GET, SET,
 * DEL, EXISTS, MGET, MSET, and ringkv's GETV and SETV for siblings and causal contexts. Keys and values are
 * checked against the limits before the service sees them.
 */
final class KeyValueCommands {
    /** Keys one MGET, MSET, DEL or EXISTS may name. */
    static final int MAX_KEYS_PER_COMMAND = 1000;
    /** SCAN's default COUNT, as Redis'. */
    static final int DEFAULT_SCAN_COUNT = 10;
    /** SCAN's largest COUNT: one call's keys travel in one reply of each replica asked. */
    static final int MAX_SCAN_COUNT = 1000;
    // KEYS would hold the whole key space of the cluster (possibly billions of keys) in one reply, and keep every
    // node's storage busy while it is gathered: a paged, resumable SCAN gives the same keys without either
    static final String KEYS_REFUSED = "ERR KEYS is not supported by ringkv: it would gather every key of the"
        + " cluster into one reply. Use SCAN 0 MATCH pattern COUNT 1000 and call SCAN again with the cursor it"
        + " returns until that cursor is 0";
    /**
     * The most siblings GETV may answer with: a node keeps at most {@code ReplicationConfig.DEFAULT.maxSiblings()}
     * per key, which it does not configure otherwise (a test keeps the two equal). For the reply budget only.
     */
    static final int SIBLINGS_REPLIED = 4;
    /** Room for a GETV context's text in the reply budget: 4 siblings of 16 clock entries, base64, with room. */
    static final int CONTEXT_REPLY_BYTES = 8 * 1024;
    /** RESP framing of one bulk string or array header at most: type byte, length digits, CRLFs. */
    private static final int FRAMING_BYTES = 16;
    private final KeyValueService service;
    private final Limits limits;

    KeyValueCommands(KeyValueService service, Limits limits) {
        this.service = service;
        this.limits = limits;
    }

    void registerIn(CommandDispatcher table) {
        table.register(CommandSpec.keyed("get", 2, "readonly fast", 1, 1, "string",
            "Returns the value of a key.",
            this::get).withReplyBound(arguments -> valueReplyBytes()));
        table.register(CommandSpec.keyed("set", -3, "write", 1, 1, "string",
            "Sets the value of a key, with an expiry (EX, PX, EXAT, PXAT, KEEPTTL); no conditions (NX, XX) or GET.",
            this::set));
        table.register(CommandSpec.keyed("del", -2, "write", -1, 1, "generic",
            "Deletes keys; returns how many had a value.",
            this::del));
        table.register(CommandSpec.keyed("exists", -2, "readonly fast", -1, 1, "generic",
            "Counts the given keys that have a value.",
            this::exists));
        table.register(CommandSpec.keyed("mget", -2, "readonly fast", -1, 1, "string",
            "Returns the values of keys.",
            this::mget).withReplyBound(arguments -> FRAMING_BYTES + (arguments.size() - 1L) * valueReplyBytes()));
        table.register(CommandSpec.keyed("mset", -3, "write", -1, 2, "string",
            "Sets the values of keys.",
            this::mset));
        table.register(CommandSpec.keyed("getv", 2, "readonly", 1, 1, "ringkv",
            "Returns a key's causal context and all its sibling values: [context, [values...]].",
            this::getVersions).withReplyBound(arguments -> 2 * FRAMING_BYTES + CONTEXT_REPLY_BYTES
                + (long) SIBLINGS_REPLIED * valueReplyBytes()));
        table.register(CommandSpec.keyed("setv", 4, "write", 1, 1, "ringkv",
            "Sets a key's value, superseding the versions a causal context from GETV names: SETV key context value.",
            this::setVersioned));
        table.register(CommandSpec.keyless("scan", -2, "readonly", "generic",
            "Iterates the keys of the whole cluster: SCAN cursor [MATCH pattern] [COUNT n] [TYPE string]; answers"
                + " [next cursor, [keys...]], next cursor 0 at the end. Every key present for the whole scan is"
                + " returned at least once; any node continues a cursor.",
            this::scan).withReplyBound(arguments -> 4 * FRAMING_BYTES
                + (long) scanCount(arguments) * (limits.maxKeyBytes() + FRAMING_BYTES)));
        table.register(CommandSpec.keyless("dbsize", 1, "readonly fast", "server",
            "An estimate of the keys in the cluster: the record counts the nodes announce by gossip (tombstones"
                + " included), summed and divided by N.",
            this::dbsize));
        table.register(CommandSpec.keyless("keys", 2, "readonly", "generic",
            "Refused by ringkv: it would gather every key of the cluster into one reply; use SCAN.",
            (arguments, context) -> context.reply(Reply.error(KEYS_REFUSED))));
        table.register(CommandSpec.keyless("removenode", 2, "admin", "ringkv",
            "Marks a node judged DOWN as removed from the cluster: REMOVENODE id.",
            this::removeNode));
        table.register(CommandSpec.keyless("repair", -1, "admin", "ringkv",
            "Starts a repair pass over the token ranges this node replicates: REPAIR [RANGE start end] [NODE id]"
                + " (progress in INFO repair).",
            (arguments, context) -> admin("repair", arguments, context)));
        table.register(CommandSpec.keyless("decommission", 1, "admin", "ringkv",
            "Streams this node's ranges to the nodes that take them over, then leaves the cluster and exits"
                + " (progress in INFO streaming).",
            (arguments, context) -> admin("decommission", arguments, context)));
        table.register(CommandSpec.keyless("cleanup", 1, "admin", "ringkv",
            "Drops the records of ranges this node no longer replicates, after a join (progress in INFO cleanup).",
            (arguments, context) -> admin("cleanup", arguments, context)));
    }

    /** @return the most bytes one value of a key takes in a reply */
    private long valueReplyBytes() {
        return (long) limits.maxValueBytes() + FRAMING_BYTES;
    }

    /** @return the keys a SCAN request may answer with: its COUNT when valid, else the default */
    private static int scanCount(List<byte[]> arguments) {
        int count = DEFAULT_SCAN_COUNT;
        for (int i = 2; i + 1 < arguments.size(); i += 2) {
            if ("COUNT".equalsIgnoreCase(text(arguments.get(i)))) {
                try {
                    count = Math.clamp(Long.parseLong(text(arguments.get(i + 1))), 1, MAX_SCAN_COUNT);
                } catch (NumberFormatException e) {
                    // refused when it runs; it answers no keys
                }
            }
        }
        return count;
    }

    private void scan(List<byte[]> arguments, CommandContext context) {
        String cursor = text(arguments.get(1));
        Glob match = null;
        int count = DEFAULT_SCAN_COUNT;
        boolean strings = true;
        for (int i = 2; i < arguments.size(); i += 2) {
            if (i + 1 == arguments.size()) {
                context.reply(Reply.error("ERR syntax error"));
                return;
            }
            String option = text(arguments.get(i)).toUpperCase(Locale.ROOT);
            byte[] value = arguments.get(i + 1);
            switch (option) {
                case "MATCH" -> {
                    if (value.length > Glob.MAX_PATTERN_BYTES) {
                        context.reply(Reply.error("ERR MATCH pattern of " + value.length + " bytes is longer than "
                            + Glob.MAX_PATTERN_BYTES + "; nothing was scanned"));
                        return;
                    }
                    match = new Glob(value);
                }
                case "COUNT" -> {
                    Reply refused = countProblem(text(value));
                    if (refused != null) {
                        context.reply(refused);
                        return;
                    }
                    count = Integer.parseInt(text(value));
                }
                // every ringkv value is a string: any other type matches no key
                case "TYPE" -> strings = text(value).equalsIgnoreCase("string");
                default -> {
                    context.reply(Reply.error("ERR syntax error"));
                    return;
                }
            }
        }
        Glob pattern = match;
        boolean anyKey = strings;
        int pageSize = count;
        KeyValueCommands.<KeyValueService.ScanResult>ask(context, page -> scanReply(page, pattern, anyKey),
            answer -> service.scan(cursor, pageSize, answer));
    }

    /** @return the error for a COUNT out of range, or null when it is fine */
    private static Reply countProblem(String text) {
        long count;
        try {
            count = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return Reply.error("ERR value is not an integer or out of range");
        }
        if (count < 1) {
            return Reply.error("ERR syntax error");
        }
        if (count > MAX_SCAN_COUNT) {
            return Reply.error("ERR COUNT is " + count + "; ringkv answers at most " + MAX_SCAN_COUNT
                + " keys per SCAN call (follow the cursor for more)");
        }
        return null;
    }

    /** MATCH and TYPE filter the keys a page found, as in Redis: a page may come back empty before the end. */
    private static Reply scanReply(KeyValueService.ScanResult page, Glob match, boolean anyKey) {
        List<Reply> keys = new ArrayList<>();
        for (Key key : page.keys()) {
            byte[] bytes = key.toByteArray();
            if (anyKey && (match == null || match.matches(bytes))) {
                keys.add(new Reply.Bulk(bytes));
            }
        }
        return new Reply.Array(List.of(Reply.bulk(page.cursor()), new Reply.Array(keys)));
    }

    private void dbsize(List<byte[]> arguments, CommandContext context) {
        KeyValueCommands.<Long>ask(context, Reply::integer, service::estimateKeys);
    }

    private void admin(String operation, List<byte[]> arguments, CommandContext context) {
        List<String> texts = arguments.subList(1, arguments.size()).stream().map(CommandDispatcher::text).toList();
        KeyValueCommands.<String>ask(context, Reply.Simple::new, answer -> service.admin(operation, texts, answer));
    }

    private void removeNode(List<byte[]> arguments, CommandContext context) {
        NodeId node = NodeId.of(text(arguments.get(1)));
        KeyValueCommands.<Void>ask(context, done -> Reply.OK, answer -> service.removeNode(node, answer));
    }

    private void get(List<byte[]> arguments, CommandContext context) {
        Key key = key(arguments.get(1));
        Consistency consistency = consistency(context);
        KeyValueCommands.<Optional<Value>>ask(context, KeyValueCommands::valueReply, answer -> service.get(key, consistency, answer));
    }

    private void set(List<byte[]> arguments, CommandContext context) {
        ExpiryCommands.Parsed<Expiry> expiry = ExpiryCommands.setOptions(arguments, 3, System.currentTimeMillis());
        if (expiry.error() != null) {
            context.reply(expiry.error());
            return;
        }
        Key key = key(arguments.get(1));
        Value value = value(arguments.get(2));
        Consistency consistency = consistency(context);
        KeyValueCommands.<Void>ask(context, done -> Reply.OK,
            answer -> service.put(key, value, CausalContext.NONE, expiry.value(), consistency, answer));
    }

    /** Blind deletes, one per key: a key counts when the replica that coordinated its delete held a value. */
    private void del(List<byte[]> arguments, CommandContext context) {
        List<Key> keys = keys(arguments, 1, 1);
        Consistency consistency = consistency(context);
        KeyValueCommands.<Key, Boolean>askAll(context, keys, (key, answer) -> service.delete(key, consistency, answer),
            existed -> Reply.integer(existed.stream().filter(b -> b).count()));
    }

    private void exists(List<byte[]> arguments, CommandContext context) {
        Consistency consistency = consistency(context);
        KeyValueCommands.<Key, Optional<Value>>askAll(context, keys(arguments, 1, 1), (key, answer) -> service.get(key, consistency, answer),
            values -> Reply.integer(values.stream().filter(Optional::isPresent).count()));
    }

    private void mget(List<byte[]> arguments, CommandContext context) {
        Consistency consistency = consistency(context);
        KeyValueCommands.<Key, Optional<Value>>askAll(context, keys(arguments, 1, 1), (key, answer) -> service.get(key, consistency, answer),
            values -> new Reply.Array(values.stream().map(KeyValueCommands::valueReply).toList()));
    }

    private void mset(List<byte[]> arguments, CommandContext context) {
        if (arguments.size() % 2 == 0) {
            context.reply(Reply.error("ERR wrong number of arguments for 'mset' command"));
            return;
        }
        List<Key> keys = keys(arguments, 1, 2);
        List<Integer> indexes = new ArrayList<>();
        List<Value> values = new ArrayList<>();
        for (int i = 2; i < arguments.size(); i += 2) {
            indexes.add(indexes.size());
            values.add(value(arguments.get(i)));
        }
        Consistency consistency = consistency(context);
        KeyValueCommands.<Integer, Void>askAll(context, indexes, (i, answer) -> service.put(keys.get(i), values.get(i), CausalContext.NONE,
            consistency, answer), done -> Reply.OK);
    }

    private void getVersions(List<byte[]> arguments, CommandContext context) {
        Key key = key(arguments.get(1));
        Consistency consistency = consistency(context);
        KeyValueCommands.<Siblings>ask(context, siblings -> new Reply.Array(List.of(
            new Reply.Bulk(siblings.context().toText().getBytes(StandardCharsets.US_ASCII)),
            new Reply.Array(siblings.values().stream().map(v -> (Reply) new Reply.ValueBulk(v)).toList()))),
            answer -> service.getVersions(key, consistency, answer));
    }

    private void setVersioned(List<byte[]> arguments, CommandContext context) {
        Key key = key(arguments.get(1));
        CausalContext causalContext;
        try {
            causalContext = CausalContext.fromText(text(arguments.get(2)));
        } catch (IllegalArgumentException e) {
            context.reply(Reply.error("ERR invalid causal context: pass back the first element GETV returned"));
            return;
        }
        Value value = value(arguments.get(3));
        Consistency consistency = consistency(context);
        KeyValueCommands.<Void>ask(context, done -> Reply.OK, answer -> service.put(key, value, causalContext, consistency, answer));
    }

    /**
     * Reserves the reply's place, then asks the service, whose answer fills it. A service call that throws is
     * answered as its failure, so no slot is left behind that would never be filled.
     */
    static <T> void ask(CommandContext context, Function<T, Reply> toReply, Consumer<Answer<T>> call) {
        Answer<T> answer = new SlotAnswer<>(context.defer(), context.answers(), toReply);
        try {
            call.accept(answer);
        } catch (RuntimeException e) {
            answer.failed(e);
        }
    }

    /** Asks once per item; answers with every result in item order, or with the first failure. */
    private static <I, T> void askAll(CommandContext context, List<I> items, BiConsumer<I, Answer<T>> call,
                                      Function<List<T>, Reply> toReply) {
        ask(context, toReply, all -> {
            Gather<T> gather = new Gather<>(items.size(), all);
            for (int i = 0; i < items.size(); i++) {
                call.accept(items.get(i), gather.part(i));
            }
        });
    }

    /** Fills a reply slot with an answer; ignores any answer after the first. */
    private static final class SlotAnswer<T> implements Answer<T> {
        private final ReplySlot slot;
        private final AnswerChannel channel;
        private final Function<T, Reply> toReply;
        private boolean answered;

        SlotAnswer(ReplySlot slot, AnswerChannel channel, Function<T, Reply> toReply) {
            this.slot = slot;
            this.channel = channel;
            this.toReply = toReply;
        }

        @Override
        public void succeeded(T result) {
            if (answered) {
                return;
            }
            Reply reply;
            try {
                reply = toReply.apply(result);
            } catch (RuntimeException e) {
                failed(e);
                return;
            }
            answered = true;
            slot.complete(reply);
        }

        @Override
        public void failed(Throwable failure) {
            if (!answered) {
                answered = true;
                slot.fail(failure);
            }
        }

        @Override
        public AnswerChannel channel() {
            return channel;
        }
    }

    /**
     * The answers of a multi-key command's calls, combined into one once every call answered: every result in
     * order when all succeeded, else the first failure. Its parts run on the front door's thread, so plain fields
     * suffice.
     */
    private static final class Gather<T> {
        private final List<T> results;
        private final Answer<List<T>> all;
        private int remaining;
        private Throwable firstFailure;

        Gather(int parts, Answer<List<T>> all) {
            this.results = new ArrayList<>(java.util.Collections.nCopies(parts, null));
            this.all = all;
            this.remaining = parts;
            if (parts == 0) {
                all.succeeded(results);
            }
        }

        /**
         * Answers once every part has: with the first failure if any failed, so the connection keeps the request's
         * keys in flight (and later requests on them waiting) until no part of it can still change them.
         */
        private void partAnswered() {
            if (--remaining == 0) {
                if (firstFailure != null) {
                    all.failed(firstFailure);
                } else {
                    all.succeeded(results);
                }
            }
        }

        Answer<T> part(int index) {
            return new Answer<>() {
                @Override
                public void succeeded(T result) {
                    results.set(index, result);
                    partAnswered();
                }

                @Override
                public void failed(Throwable failure) {
                    if (firstFailure == null) {
                        firstFailure = failure;
                    }
                    partAnswered();
                }

                @Override
                public AnswerChannel channel() {
                    return all.channel();
                }
            };
        }
    }

    static Reply valueReply(Optional<Value> value) {
        return value.<Reply>map(Reply.ValueBulk::new).orElse(Reply.NULL);
    }

    static Consistency consistency(CommandContext context) {
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
            // every key becomes a call in the node's next batch and a part of the reply: bound both per request
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

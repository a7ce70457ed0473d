package io.ringkv.node.resp;

import static io.ringkv.node.resp.CommandDispatcher.text;
import static io.ringkv.node.resp.KeyValueCommands.ask;
import static io.ringkv.node.resp.KeyValueCommands.consistency;

import io.ringkv.api.Consistency;
import io.ringkv.api.Expiry;
import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.Value;
import io.ringkv.node.service.CausalContext;
import io.ringkv.node.service.KeyValueService;
import io.ringkv.node.service.KeyValueService.ExpiryChanged;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The expiry commands, as Redis 7 answers them: SET's EX/PX/EXAT/PXAT/KEEPTTL options, SETEX, PSETEX, EXPIRE,
 * PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST and GETEX.
 * The instant an expiry names is fixed by the replica that coordinates the write (a time to live counts from the
 * write's timestamp) and travels with the value's version; every node then answers by its own clock, so nodes whose
 * clocks disagree by d disagree about a key for d around its expiry. Changing an expiry (EXPIRE, PERSIST, GETEX
 * with an option) reads the key at the connection's R and writes its value back with the read's context at W: a
 * write of another client in between is not lost, it stays a sibling (vector clocks) or wins by timestamp (lww).
 */
final class ExpiryCommands {
    private static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    private static final String SYNTAX = "ERR syntax error";
    /** A bulk reply's header and trailer around a value, at most. */
    private static final int VALUE_FRAMING_BYTES = 16;

    private final KeyValueService service;
    private final Limits limits;
    private final LongSupplier clock;

    /**
     * @param clock the node's wall clock in milliseconds, what TTL counts down against
     */
    ExpiryCommands(KeyValueService service, Limits limits, LongSupplier clock) {
        this.service = service;
        this.limits = limits;
        this.clock = clock;
    }

    /** A parsed option: its value, or the error to answer. */
    record Parsed<T>(T value, Reply error) {
        static <T> Parsed<T> ok(T value) {
            return new Parsed<>(value, null);
        }

        static <T> Parsed<T> error(String message) {
            return new Parsed<>(null, Reply.error(message));
        }
    }

    void registerIn(CommandDispatcher table) {
        table.register(CommandSpec.keyed("setex", 4, "write", 1, 1, "string",
            "Sets a key's value that expires after a number of seconds.",
            (arguments, context) -> setWithTimeToLive(arguments, context, "setex", 1000)));
        table.register(CommandSpec.keyed("psetex", 4, "write", 1, 1, "string",
            "Sets a key's value that expires after a number of milliseconds.",
            (arguments, context) -> setWithTimeToLive(arguments, context, "psetex", 1)));
        table.register(CommandSpec.keyed("expire", -3, "write fast", 1, 1, "generic",
            "Sets a key's time to live in seconds (NX, XX, GT, LT); a read of the key, then a write of its value.",
            (arguments, context) -> expire(arguments, context, "expire", 1000, false)));
        table.register(CommandSpec.keyed("pexpire", -3, "write fast", 1, 1, "generic",
            "Sets a key's time to live in milliseconds (NX, XX, GT, LT).",
            (arguments, context) -> expire(arguments, context, "pexpire", 1, false)));
        table.register(CommandSpec.keyed("expireat", -3, "write fast", 1, 1, "generic",
            "Sets the Unix time in seconds at which a key expires (NX, XX, GT, LT).",
            (arguments, context) -> expire(arguments, context, "expireat", 1000, true)));
        table.register(CommandSpec.keyed("pexpireat", -3, "write fast", 1, 1, "generic",
            "Sets the Unix time in milliseconds at which a key expires (NX, XX, GT, LT).",
            (arguments, context) -> expire(arguments, context, "pexpireat", 1, true)));
        table.register(CommandSpec.keyed("ttl", 2, "readonly fast", 1, 1, "generic",
            "Returns a key's time to live in seconds: -1 without an expiry, -2 when absent.",
            (arguments, context) -> timeToLive(arguments, context, false, false)));
        table.register(CommandSpec.keyed("pttl", 2, "readonly fast", 1, 1, "generic",
            "Returns a key's time to live in milliseconds: -1 without an expiry, -2 when absent.",
            (arguments, context) -> timeToLive(arguments, context, true, false)));
        table.register(CommandSpec.keyed("expiretime", 2, "readonly fast", 1, 1, "generic",
            "Returns the Unix time in seconds at which a key expires: -1 without an expiry, -2 when absent.",
            (arguments, context) -> timeToLive(arguments, context, false, true)));
        table.register(CommandSpec.keyed("pexpiretime", 2, "readonly fast", 1, 1, "generic",
            "Returns the Unix time in milliseconds at which a key expires: -1 without an expiry, -2 when absent.",
            (arguments, context) -> timeToLive(arguments, context, true, true)));
        table.register(CommandSpec.keyed("persist", 2, "write fast", 1, 1, "generic",
            "Removes a key's expiry; 1 when it had one.",
            this::persist));
        table.register(CommandSpec.keyed("getex", -2, "write fast", 1, 1, "string",
            "Returns a key's value and sets its expiry (EX, PX, EXAT, PXAT, PERSIST).",
            this::getex).withReplyBound(arguments -> limits.maxValueBytes() + VALUE_FRAMING_BYTES));
    }

    /**
     * SET's options from {@code first} on: the expiry the write carries ({@link Expiry#NONE} when none is named:
     * a plain SET clears an expiry, as in Redis).
     */
    static Parsed<Expiry> setOptions(List<byte[]> arguments, int first, long nowMillis) {
        Expiry expiry = null;
        for (int i = first; i < arguments.size(); i++) {
            String option = text(arguments.get(i)).toUpperCase(Locale.ROOT);
            switch (option) {
                case "NX", "XX", "GET" -> {
                    String missing = option.equals("GET") ? "returning the old value" : "conditional writes";
                    return Parsed.error("ERR SET option " + option + " is not supported by ringkv yet (no " + missing
                        + "); nothing was written");
                }
                case "KEEPTTL" -> {
                    if (expiry != null) {
                        return Parsed.error(SYNTAX);
                    }
                    expiry = Expiry.KEEP;
                }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (expiry != null || i + 1 == arguments.size()) {
                        return Parsed.error(SYNTAX);
                    }
                    Parsed<Expiry> timed = timed(option, text(arguments.get(++i)), "set", nowMillis);
                    if (timed.error() != null) {
                        return timed;
                    }
                    expiry = timed.value();
                }
                default -> {
                    return Parsed.error(SYNTAX);
                }
            }
        }
        return Parsed.ok(expiry == null ? Expiry.NONE : expiry);
    }

    /**
     * @param option EX, PX, EXAT or PXAT
     * @param nowMillis the wall clock a time to live is added to
     * @return the expiry, or Redis' error for a value that is not a positive integer, overflows milliseconds, or
     *     (a time to live) passes the largest instant once added to now
     */
    private static Parsed<Expiry> timed(String option, String number, String command, long nowMillis) {
        long amount;
        try {
            amount = Long.parseLong(number);
        } catch (NumberFormatException e) {
            return Parsed.error(NOT_INTEGER);
        }
        return Expiry.ofAmount(amount, option.startsWith("P") ? 1 : 1000, option.endsWith("AT"), nowMillis)
            .map(Parsed::ok).orElseGet(() -> Parsed.error(invalidTime(command)));
    }

    private static String invalidTime(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    private void setWithTimeToLive(List<byte[]> arguments, CommandContext context, String command, long unit) {
        Parsed<Expiry> expiry = timed(unit == 1 ? "PX" : "EX", text(arguments.get(2)), command, clock.getAsLong());
        if (expiry.error() != null) {
            context.reply(expiry.error());
            return;
        }
        Key key = Key.of(arguments.get(1), limits);
        Value value = Value.of(arguments.get(3), limits);
        Consistency consistency = consistency(context);
        KeyValueCommands.<Void>ask(context, done -> Reply.OK,
            answer -> service.put(key, value, CausalContext.NONE, expiry.value(), consistency, answer));
    }

    private void expire(List<byte[]> arguments, CommandContext context, String command, long unit, boolean absolute) {
        // the options first, then the number: the order Redis checks them in, so the same error answers
        Parsed<Expiry.Condition> condition = condition(arguments, 3);
        if (condition.error() != null) {
            context.reply(condition.error());
            return;
        }
        long amount;
        try {
            amount = Long.parseLong(text(arguments.get(2)));
        } catch (NumberFormatException e) {
            context.reply(Reply.error(NOT_INTEGER));
            return;
        }
        if (amount > Long.MAX_VALUE / unit || amount < Long.MIN_VALUE / unit
            || !absolute && amount > 0 && amount * unit > Long.MAX_VALUE - clock.getAsLong()) {
            context.reply(Reply.error(invalidTime(command)));
            return;
        }
        long millis = amount * unit;
        // a time to live of 0 or less, or an instant already past, deletes the key (as in Redis)
        Expiry expiry = absolute ? Expiry.at(Math.max(1, millis)) : millis > 0 ? Expiry.after(millis) : Expiry.at(1);
        changeExpiry(arguments, context, expiry, condition.value(), changed -> Reply.integer(changed.changed() ? 1 : 0));
    }

    /** NX, XX, GT, LT, as Redis 7 combines them: NX with any other, or GT with LT, is refused. */
    private static Parsed<Expiry.Condition> condition(List<byte[]> arguments, int first) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = first; i < arguments.size(); i++) {
            String option = text(arguments.get(i)).toUpperCase(Locale.ROOT);
            switch (option) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> {
                    return Parsed.error("ERR Unsupported option " + text(arguments.get(i)));
                }
            }
        }
        if (nx && (xx || gt || lt)) {
            return Parsed.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            return Parsed.error("ERR GT and LT options at the same time are not compatible");
        }
        // XX with GT or LT: GT and LT already need an expiry (GT) or treat none as never (LT, which XX narrows)
        if (xx && lt) {
            return Parsed.ok(Expiry.Condition.XX_LT);
        }
        return Parsed.ok(nx ? Expiry.Condition.NX : gt ? Expiry.Condition.GT : lt ? Expiry.Condition.LT
            : xx ? Expiry.Condition.XX : Expiry.Condition.ALWAYS);
    }

    private void timeToLive(List<byte[]> arguments, CommandContext context, boolean millis, boolean absolute) {
        Key key = Key.of(arguments.get(1), limits);
        Consistency consistency = consistency(context);
        KeyValueCommands.<Long>ask(context, at -> {
            if (at < 0) {
                return Reply.integer(at);
            }
            long shown = absolute ? at : Math.max(0, at - clock.getAsLong());
            // rounded to the nearest second as Redis does, without its (shown + 500) overflow at the latest instant
            return Reply.integer(millis ? shown : shown / 1000 + (shown % 1000 >= 500 ? 1 : 0));
        }, answer -> service.expiry(key, consistency, answer));
    }

    private void persist(List<byte[]> arguments, CommandContext context) {
        changeExpiry(arguments, context, Expiry.NONE, Expiry.Condition.XX,
            changed -> Reply.integer(changed.changed() ? 1 : 0));
    }

    private void getex(List<byte[]> arguments, CommandContext context) {
        Expiry expiry = null;
        Expiry.Condition condition = Expiry.Condition.ALWAYS;
        for (int i = 2; i < arguments.size(); i++) {
            String option = text(arguments.get(i)).toUpperCase(Locale.ROOT);
            if (expiry != null) {
                context.reply(Reply.error(SYNTAX));
                return;
            }
            switch (option) {
                case "PERSIST" -> {
                    expiry = Expiry.NONE;
                    condition = Expiry.Condition.XX;
                }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (i + 1 == arguments.size()) {
                        context.reply(Reply.error(SYNTAX));
                        return;
                    }
                    Parsed<Expiry> timed = timed(option, text(arguments.get(++i)), "getex", clock.getAsLong());
                    if (timed.error() != null) {
                        context.reply(timed.error());
                        return;
                    }
                    expiry = timed.value();
                }
                default -> {
                    context.reply(Reply.error(SYNTAX));
                    return;
                }
            }
        }
        if (expiry == null) {
            Key key = Key.of(arguments.get(1), limits);
            Consistency consistency = consistency(context);
            KeyValueCommands.<java.util.Optional<Value>>ask(context, KeyValueCommands::valueReply,
                answer -> service.get(key, consistency, answer));
            return;
        }
        changeExpiry(arguments, context, expiry, condition, changed -> KeyValueCommands.valueReply(changed.value()));
    }

    private void changeExpiry(List<byte[]> arguments, CommandContext context, Expiry expiry,
                              Expiry.Condition condition, java.util.function.Function<ExpiryChanged, Reply> reply) {
        Key key = Key.of(arguments.get(1), limits);
        Consistency consistency = consistency(context);
        KeyValueCommands.<ExpiryChanged>ask(context, reply,
            answer -> service.changeExpiry(key, expiry, condition, consistency, answer));
    }
}

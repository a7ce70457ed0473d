package io.ringkv.node.resp;

import io.ringkv.api.CounterSet;
import io.ringkv.api.KvException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds a request's command by name, checks its arity and runs it; answers unknown commands, wrong arities and
 * {@link KvException}s with Redis-shaped errors so no request goes unanswered.
 */
final class CommandDispatcher {
    /** Redis quotes at most this many characters of a request in an unknown-command error. */
    private static final int QUOTED_CHARACTERS = 128;

    private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
    private final CounterSet<RespCounter> counters;
    private final AccessGate gate;

    CommandDispatcher(CounterSet<RespCounter> counters, AccessGate gate) {
        this.counters = counters;
        this.gate = gate;
    }

    void register(CommandSpec spec) {
        if (commands.put(spec.name(), spec) != null) {
            throw new IllegalArgumentException("command " + spec.name() + " registered twice");
        }
    }

    /** @return every command, in registration order */
    Collection<CommandSpec> commands() {
        return Collections.unmodifiableCollection(commands.values());
    }

    /** @return the command named {@code name} in any case, or null */
    CommandSpec find(String name) {
        return commands.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * @return the keys a request names, by its command's key positions (as {@code COMMAND} reports them), each
     *     wrapping the argument's bytes; empty for an unknown command, a keyless one or a wrong arity
     */
    List<ByteBuffer> keysOf(List<byte[]> arguments) {
        CommandSpec spec = find(text(arguments.getFirst()));
        if (spec == null || spec.firstKey() == 0 || !spec.acceptsArgumentCount(arguments.size())) {
            return List.of();
        }
        int last = spec.lastKey() < 0 ? arguments.size() + spec.lastKey() : spec.lastKey();
        if (last == spec.firstKey()) {
            return List.of(ByteBuffer.wrap(arguments.get(last)));
        }
        List<ByteBuffer> keys = new ArrayList<>();
        for (int i = spec.firstKey(); i <= last && i < arguments.size(); i += spec.keyStep()) {
            keys.add(ByteBuffer.wrap(arguments.get(i)));
        }
        return keys;
    }

    void dispatch(List<byte[]> arguments, CommandContext context) {
        dispatch(lookup(arguments), arguments, context);
    }

    /** @return the most reply bytes the request can produce (small for an unknown command) */
    long replyBytes(List<byte[]> arguments) {
        CommandSpec spec = lookup(arguments);
        return spec == null ? CommandSpec.SMALL_REPLY_BYTES : spec.replyBytes(arguments);
    }

    /** @return true when {@code session} must log in first: its requests are parsed with tight limits */
    boolean awaitsLogin(ClientSession session) {
        return gate.awaitsLogin(session);
    }

    /** @return the command a request names, or null when the node has no such command */
    CommandSpec lookup(List<byte[]> arguments) {
        return find(text(arguments.getFirst()));
    }

    /**
     * Runs a request whose command {@link #lookup} found ({@code spec}), or answers the error when it found none, or
     * the refusal of the {@link AccessGate} when the connection may not run it (in Redis' order: unknown command,
     * arity, then authentication and permission).
     */
    void dispatch(CommandSpec spec, List<byte[]> arguments, CommandContext context) {
        counters.get(RespCounter.COMMANDS_PROCESSED).incrementRelease();
        Reply refusal;
        if (spec == null) {
            context.reply(unknownCommand(arguments));
        } else if (!spec.acceptsArgumentCount(arguments.size())) {
            context.reply(Reply.error("ERR wrong number of arguments for '" + spec.name() + "' command"));
        } else if ((refusal = gate.refusal(spec, context.session())) != null) {
            context.reply(refusal);
        } else {
            run(spec, arguments, context);
        }
    }

    private void run(CommandSpec spec, List<byte[]> arguments, CommandContext context) {
        try {
            spec.handler().handle(arguments, context);
        } catch (KvException e) {
            context.reply(ReplySlot.errorFor(e));
        } catch (RuntimeException e) {
            // a failing service call or a bug: the client gets an answer, the operator a counter
            counters.get(RespCounter.SERVICE_FAILURES).incrementRelease();
            context.reply(Reply.error("ERR internal error: " + e));
        }
    }

    static Reply unknownCommand(List<byte[]> arguments) {
        StringBuilder quoted = new StringBuilder();
        for (int i = 1; i < arguments.size() && quoted.length() < QUOTED_CHARACTERS; i++) {
            String argument = text(arguments.get(i));
            int room = QUOTED_CHARACTERS - quoted.length();
            quoted.append('\'').append(argument, 0, Math.min(room, argument.length())).append("' ");
        }
        String name = text(arguments.getFirst());
        return Reply.error("ERR unknown command '" + name.substring(0, Math.min(QUOTED_CHARACTERS, name.length()))
            + "', with args beginning with: " + quoted);
    }

    /** Decodes an argument as UTF-8 for names, options and messages (keys and values stay bytes). */
    static String text(byte[] argument) {
        return new String(argument, StandardCharsets.UTF_8);
    }
}

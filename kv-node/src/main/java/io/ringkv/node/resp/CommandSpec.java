package io.ringkv.node.resp;

import java.util.List;

/**
 * One command: its name, its arity in Redis' convention (N exactly N arguments counting the name, -N at least
 * N), the fields {@code COMMAND} and {@code COMMAND DOCS} report, and what runs it.
 */
record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int keyStep,
                   String group, String summary, Handler handler) {

    /** Runs one command; may throw {@link io.ringkv.api.KvException} to answer with its message. */
    @FunctionalInterface
    interface Handler {
        void handle(List<byte[]> arguments, CommandContext context);
    }

    static CommandSpec keyless(String name, int arity, String flags, String group, String summary, Handler handler) {
        return new CommandSpec(name, arity, List.of(flags.split(" ")), 0, 0, 0, group, summary, handler);
    }

    static CommandSpec keyed(String name, int arity, String flags, int lastKey, int keyStep, String group,
                             String summary, Handler handler) {
        return new CommandSpec(name, arity, List.of(flags.split(" ")), 1, lastKey, keyStep, group, summary, handler);
    }

    boolean acceptsArgumentCount(int count) {
        return arity >= 0 ? count == arity : count >= -arity;
    }
}

package io.ringkv.node.resp;

import io.ringkv.node.auth.Permission;
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

    /**
     * @return the permission a user needs to run this command, by its flags as {@code COMMAND} reports them:
     *     {@code admin} needs {@link Permission#ADMIN}, {@code write} {@link Permission#READWRITE}, any other
     *     {@link Permission#READ}
     */
    Permission requiredPermission() {
        if (flags.contains("admin")) {
            return Permission.ADMIN;
        }
        return flags.contains("write") ? Permission.READWRITE : Permission.READ;
    }

    /** @return whether a client may run it before it logged in (Redis' {@code no_auth} flag) */
    boolean beforeLogin() {
        return flags.contains("no_auth");
    }

    boolean acceptsArgumentCount(int count) {
        return arity >= 0 ? count == arity : count >= -arity;
    }
}

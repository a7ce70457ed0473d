package io.ringkv.node.resp;

import io.ringkv.node.auth.Permission;
import java.util.List;

/**
 * One command: its name, its arity in Redis' convention (N exactly N arguments counting the name, -N at least
 * N), the fields {@code COMMAND} and {@code COMMAND DOCS} report, what runs it, and the most reply bytes a request
 * of it can produce ({@link ReplyBound}), which its connection reserves before running it.
 */
record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int keyStep,
                   String group, String summary, Handler handler, ReplyBound replyBound) {
    /**
     * The reply bound of a command that answers a status, a number, an error or a short text: no value of a key.
     * An estimate for the reply budget; a reply larger than it still waits behind the unsent-bytes bound.
     */
    static final long SMALL_REPLY_BYTES = 4 * 1024;

    /** The most reply bytes (RESP encoded) a request of the command can produce; an estimate from the limits. */
    @FunctionalInterface
    interface ReplyBound {
        /** A command that answers no value. */
        ReplyBound SMALL = arguments -> SMALL_REPLY_BYTES;

        /** A command that answers with its own arguments ({@code ECHO}, {@code PING message}). */
        ReplyBound ECHOED = arguments -> {
            long bytes = SMALL_REPLY_BYTES;
            for (int i = 1; i < arguments.size(); i++) {
                bytes += arguments.get(i).length;
            }
            return bytes;
        };

        /** @param arguments the request, its name first, of an arity the command accepts */
        long bytes(List<byte[]> arguments);
    }

    /** Runs one command; may throw {@link io.ringkv.api.KvException} to answer with its message. */
    @FunctionalInterface
    interface Handler {
        void handle(List<byte[]> arguments, CommandContext context);
    }

    static CommandSpec keyless(String name, int arity, String flags, String group, String summary, Handler handler) {
        return new CommandSpec(name, arity, List.of(flags.split(" ")), 0, 0, 0, group, summary, handler,
            ReplyBound.SMALL);
    }

    static CommandSpec keyed(String name, int arity, String flags, int lastKey, int keyStep, String group,
                             String summary, Handler handler) {
        return new CommandSpec(name, arity, List.of(flags.split(" ")), 1, lastKey, keyStep, group, summary, handler,
            ReplyBound.SMALL);
    }

    /** @return this command with another reply bound */
    CommandSpec withReplyBound(ReplyBound bound) {
        return new CommandSpec(name, arity, flags, firstKey, lastKey, keyStep, group, summary, handler, bound);
    }

    /** @return the most reply bytes {@code arguments} can produce; small for an arity the command refuses */
    long replyBytes(List<byte[]> arguments) {
        return acceptsArgumentCount(arguments.size()) ? replyBound.bytes(arguments) : SMALL_REPLY_BYTES;
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

package io.ringkv.node.resp;

import static io.ringkv.node.resp.CommandDispatcher.text;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.User;
import io.ringkv.node.service.ConsistencyText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The commands about the connection and the server rather than data: PING, ECHO, HELLO, AUTH, SELECT, QUIT,
 * COMMAND, INFO, and ringkv's CONSISTENCY.
 */
final class ConnectionCommands {
    private static final Reply AUTH_NOT_CONFIGURED = Reply.error("ERR AUTH <password> called without any password"
        + " configured for the default user. Are you sure your configuration is correct?");
    private static final Reply HELLO_NOAUTH = Reply.error("NOAUTH HELLO must be called with the client already"
        + " authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the"
        + " client and select the RESP protocol version at the same time");

    private final RespConfig config;
    private final CommandDispatcher dispatcher;
    private final InfoReport info;
    private final Availability availability;
    private final Authenticator authenticator;
    private final Login login;

    ConnectionCommands(RespConfig config, CommandDispatcher dispatcher, InfoReport info, Availability availability,
                       Authenticator authenticator) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.info = info;
        this.availability = availability;
        this.authenticator = authenticator;
        this.login = new Login(authenticator);
    }

    void registerIn(CommandDispatcher table) {
        table.register(CommandSpec.keyless("ping", -1, "fast", "connection",
            "Returns the server's liveliness response.",
            this::ping).withReplyBound(CommandSpec.ReplyBound.ECHOED));
        table.register(CommandSpec.keyless("echo", 2, "fast", "connection",
            "Returns the given string.",
            this::echo).withReplyBound(CommandSpec.ReplyBound.ECHOED));
        table.register(CommandSpec.keyless("hello", -1, "fast no_auth", "connection",
            "Handshakes with the server: protocol version and client name.",
            this::hello));
        table.register(CommandSpec.keyless("auth", -2, "fast no_auth", "connection",
            "Authenticates the connection: AUTH <password> as the default user, or AUTH <username> <password>.",
            this::auth));
        table.register(CommandSpec.keyless("select", 2, "fast", "connection",
            "Changes the selected database (only 0 exists).",
            this::select));
        table.register(CommandSpec.keyless("quit", -1, "fast no_auth", "connection",
            "Closes the connection.",
            this::quit));
        table.register(CommandSpec.keyless("command", -1, "loading stale", "server",
            "Returns detailed information about all commands.",
            this::command).withReplyBound(this::commandReplyBytes));
        table.register(CommandSpec.keyless("info", -1, "loading stale", "server",
            "Returns information and statistics about the server.",
            this::info));
        table.register(CommandSpec.keyless("consistency", -1, "fast", "connection",
            "Shows or sets this connection's read and write consistency: ONE, QUORUM, ALL or R=<n>,W=<n>.",
            this::consistency));
    }

    /** A node that cannot serve says so to PING, which health checks and connection pools use as liveness. */
    private void ping(List<byte[]> arguments, CommandContext context) {
        Optional<String> unavailable = availability.whyUnavailable();
        if (arguments.size() > 2) {
            context.reply(Reply.error("ERR wrong number of arguments for 'ping' command"));
        } else if (unavailable.isPresent()) {
            context.reply(ReplySlot.errorFor(new KvException(ErrorCode.UNAVAILABLE, unavailable.get())));
        } else {
            context.reply(arguments.size() == 2 ? new Reply.Bulk(arguments.get(1)) : Reply.simple("PONG"));
        }
    }

    /** AUTH [username] password: the default user when the name is left out, as in Redis. */
    private void auth(List<byte[]> arguments, CommandContext context) {
        if (!authenticator.required()) {
            context.reply(AUTH_NOT_CONFIGURED);
        } else if (arguments.size() > 3) {
            context.reply(Reply.error("ERR syntax error"));
        } else {
            String user = arguments.size() == 3 ? text(arguments.get(1)) : User.DEFAULT;
            login.start(context, user, arguments.getLast(), context.session().protocol(), loggedIn -> Reply.OK);
        }
    }

    private void echo(List<byte[]> arguments, CommandContext context) {
        context.reply(new Reply.Bulk(arguments.get(1)));
    }

    private void hello(List<byte[]> arguments, CommandContext context) {
        ClientSession session = context.session();
        int protocol = session.protocol();
        int next = 1;
        if (arguments.size() > 1) {
            Long requested = parseLong(arguments.get(1));
            if (requested == null) {
                context.reply(Reply.error("ERR Protocol version is not an integer or out of range"));
                return;
            }
            if (requested != RespEncoder.RESP2 && requested != RespEncoder.RESP3) {
                context.reply(Reply.error("NOPROTO unsupported protocol version"));
                return;
            }
            protocol = requested.intValue();
            next = 2;
        }
        String name = null;
        byte[] user = null;
        byte[] password = null;
        for (int i = next; i < arguments.size(); i++) {
            String option = text(arguments.get(i)).toUpperCase(Locale.ROOT);
            int left = arguments.size() - i - 1;
            if (option.equals("AUTH") && left >= 2) {
                if (!authenticator.required()) {
                    context.reply(AUTH_NOT_CONFIGURED);
                    return;
                }
                user = arguments.get(++i);
                password = arguments.get(++i);
            } else if (option.equals("SETNAME") && left >= 1) {
                name = text(arguments.get(++i));
                if (!validClientName(name)) {
                    context.reply(Reply.error("ERR Client names cannot contain spaces, newlines or special characters."));
                    return;
                }
            } else {
                context.reply(Reply.error("ERR Syntax error in HELLO option '" + text(arguments.get(i)) + "'"));
                return;
            }
        }
        if (password != null) {
            String clientName = name;
            int chosen = protocol;
            login.start(context, text(user), password, chosen, loggedIn -> {
                welcome(session, chosen, clientName);
                return helloReply(session);
            });
        } else if (authenticator.required() && session.user() == null) {
            context.reply(HELLO_NOAUTH);
        } else {
            welcome(session, protocol, name);
            context.reply(helloReply(session));
        }
    }

    private static void welcome(ClientSession session, int protocol, String name) {
        session.protocol(protocol);
        if (name != null) {
            session.name(name);
        }
    }

    private Reply helloReply(ClientSession session) {
        int protocol = session.protocol();
        return new Reply.MapReply(List.of(
            Reply.bulk("server"), Reply.bulk("ringkv"),
            Reply.bulk("version"), Reply.bulk(config.version()),
            Reply.bulk("proto"), Reply.integer(protocol),
            Reply.bulk("id"), Reply.integer(session.id()),
            Reply.bulk("mode"), Reply.bulk("cluster"),
            Reply.bulk("role"), Reply.bulk("master"),
            Reply.bulk("modules"), Reply.EMPTY_ARRAY));
    }

    private void select(List<byte[]> arguments, CommandContext context) {
        Long index = parseLong(arguments.get(1));
        if (index == null) {
            context.reply(Reply.error("ERR value is not an integer or out of range"));
        } else {
            context.reply(index == 0 ? Reply.OK : Reply.error("ERR DB index is out of range"));
        }
    }

    private void quit(List<byte[]> arguments, CommandContext context) {
        context.reply(Reply.OK);
        context.closeAfterReplies();
    }

    private void command(List<byte[]> arguments, CommandContext context) {
        if (arguments.size() == 1) {
            context.reply(new Reply.Array(dispatcher.commands().stream().map(ConnectionCommands::describe).toList()));
            return;
        }
        String subcommand = text(arguments.get(1)).toUpperCase(Locale.ROOT);
        List<byte[]> names = arguments.subList(2, arguments.size());
        switch (subcommand) {
            case "COUNT" -> context.reply(arguments.size() == 2 ? Reply.integer(dispatcher.commands().size())
                : Reply.error("ERR wrong number of arguments for 'command|count' command"));
            case "DOCS" -> context.reply(docs(names));
            case "INFO" -> context.reply(new Reply.Array(names.stream().map(name -> {
                CommandSpec spec = dispatcher.find(text(name));
                return spec == null ? Reply.NULL : describe(spec);
            }).toList()));
            default -> context.reply(Reply.error("ERR unknown subcommand '" + text(arguments.get(1))
                + "'. Try COMMAND HELP."));
        }
    }

    /** The ten fields of Redis 7's COMMAND reply; ringkv has no ACL categories, tips, key specs or subcommands. */
    private static Reply describe(CommandSpec spec) {
        return new Reply.Array(List.of(
            Reply.bulk(spec.name()), Reply.integer(spec.arity()),
            new Reply.Array(spec.flags().stream().map(Reply::simple).toList()),
            Reply.integer(spec.firstKey()), Reply.integer(spec.lastKey()), Reply.integer(spec.keyStep()),
            Reply.EMPTY_ARRAY, Reply.EMPTY_ARRAY, Reply.EMPTY_ARRAY, Reply.EMPTY_ARRAY));
    }

    /**
     * COMMAND's worst case: every command's entry, and one more for each name a client lists (INFO answers each
     * name given, repeats too). Names are cheap to send and their entries are not: without this bound a request of
     * a hundred thousand names was judged small, and built a reply of tens of MB.
     */
    private long commandReplyBytes(List<byte[]> arguments) {
        long entry = 0;
        for (CommandSpec spec : dispatcher.commands()) {
            long bytes = spec.name().length() + spec.summary().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + spec.group().length() + String.join(" ", spec.flags()).length();
            entry = Math.max(entry, bytes);
        }
        // framing: the entry's array or map, its fields' headers, the integers
        entry += 256;
        return CommandSpec.SMALL_REPLY_BYTES + (dispatcher.commands().size() + Math.max(0, arguments.size() - 2L))
            * entry;
    }

    private Reply docs(List<byte[]> names) {
        // a map: a name given twice is answered once
        java.util.Set<CommandSpec> specs = new java.util.LinkedHashSet<>();
        if (names.isEmpty()) {
            specs.addAll(dispatcher.commands());
        } else {
            for (byte[] name : names) {
                CommandSpec spec = dispatcher.find(text(name));
                if (spec != null) {
                    specs.add(spec);
                }
            }
        }
        List<Reply> entries = new ArrayList<>();
        for (CommandSpec spec : specs) {
            entries.add(Reply.bulk(spec.name()));
            entries.add(new Reply.MapReply(List.of(
                Reply.bulk("summary"), Reply.bulk(spec.summary()),
                Reply.bulk("group"), Reply.bulk(spec.group()))));
        }
        return new Reply.MapReply(entries);
    }

    private void info(List<byte[]> arguments, CommandContext context) {
        List<String> sections = arguments.subList(1, arguments.size()).stream().map(CommandDispatcher::text).toList();
        context.reply(new Reply.Verbatim(info.render(sections)));
    }

    private void consistency(List<byte[]> arguments, CommandContext context) {
        ClientSession session = context.session();
        if (arguments.size() == 1) {
            context.reply(Reply.simple(session.consistency().toString()));
        } else if (arguments.size() == 2) {
            session.consistency(ConsistencyText.parse(text(arguments.get(1)), session.consistency()));
            context.reply(Reply.OK);
        } else {
            context.reply(Reply.error("ERR wrong number of arguments for 'consistency' command"));
        }
    }

    private static boolean validClientName(String name) {
        return name.chars().allMatch(c -> c > ' ' && c <= '~');
    }

    private static Long parseLong(byte[] argument) {
        return parseLong(text(argument));
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

package io.ringkv.node.cli;

import io.ringkv.api.KvException;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs {@code ringkv <command> [options]}: picocli parses the words into the {@link Command} registered under
 * them (commands of two words, {@code ring simulate}, under a group named by the first), answers {@code --help},
 * {@code help [command]} and {@code --version}, and turns every failure into one exit status: 0 ok, 1 the command
 * failed, 2 the command line was wrong (a one-line message, close matches for a typo, and the command's usage).
 */
public final class Launcher {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    /** What the group commands (the first of two words) say of themselves. */
    private static final Map<String, String> GROUPS = Map.of("ring", "Tools for the token ring: ring simulate.",
        "user", "The users who may log in to the client ports: user add.",
        "cluster-key", "The key that authenticates nodes to each other: cluster-key generate.");

    private final Map<String, Provider<Command>> commands;

    /** @param commands every command by the words that invoke it; a fresh instance is parsed into on each run */
    @Inject
    public Launcher(Map<String, Provider<Command>> commands) {
        this.commands = new TreeMap<>(commands);
    }

    /**
     * @return the exit status: 0 on success, 1 when the command failed, 2 for a usage error
     */
    public int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine root = commandLine(out, err, args.length == 0 ? "" : args[0]);
        root.setExecutionStrategy(parsed -> execute(parsed, out, err));
        root.setParameterExceptionHandler((error, words) -> usageError(error, err));
        root.setExecutionExceptionHandler((error, commandLine, parsed) -> failure(error, commandLine, err));
        return root.execute(args);
    }

    /** @return the whole command tree, help included, writing to {@code out} and {@code err} */
    CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(out, err, "");
    }

    /**
     * @param first the first word of the command line: when it names a command (or a group), the tree holds only
     *     that one (or the completion command, which needs them all), since building every command's model by
     *     reflection costs a node's start about 0.1 s;
     *     otherwise (help, a typo, nothing) the whole tree, for the help and the suggestions
     */
    private CommandLine commandLine(PrintStream out, PrintStream err, String first) {
        // completion describes the whole tree
        boolean known = !first.isEmpty() && !first.equals("completion") && commands.keySet().stream()
            .anyMatch(words -> words.split(" ")[0].equals(first));
        CommandLine root = new CommandLine(new RingkvCommand());
        root.addSubcommand("help", new CommandLine.HelpCommand());
        commands.forEach((words, command) -> {
            String[] names = words.split(" ");
            if (known && !names[0].equals(first)) {
                return;
            }
            CommandLine parent = root;
            for (int i = 0; i < names.length - 1; i++) {
                parent = group(parent, names[i]);
            }
            parent.addSubcommand(names[names.length - 1], command.get());
        });
        forEach(root, Launcher::standardHelp);
        root.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        root.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        root.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.AUTO));
        return root;
    }

    private static CommandLine group(CommandLine parent, String name) {
        CommandLine existing = parent.getSubcommands().get(name);
        if (existing != null) {
            return existing;
        }
        CommandSpec spec = CommandSpec.create();
        spec.usageMessage().description(GROUPS.getOrDefault(name, name + " commands"));
        parent.addSubcommand(name, new CommandLine(spec));
        return parent.getSubcommands().get(name);
    }

    /** Every command: --help and --version, options in the order declared, each with its default. */
    private static void standardHelp(CommandLine commandLine) {
        CommandSpec spec = commandLine.getCommandSpec();
        if (!spec.helpCommand()) {
            spec.mixinStandardHelpOptions(true);
            spec.versionProvider(new VersionCommand.Provider());
        }
        spec.usageMessage().showDefaultValues(true).sortOptions(false).abbreviateSynopsis(true)
            .optionListHeading("%nOptions:%n").commandListHeading("%nCommands:%n");
    }

    private static void forEach(CommandLine commandLine, java.util.function.Consumer<CommandLine> action) {
        action.accept(commandLine);
        commandLine.getSubcommands().values().forEach(sub -> forEach(sub, action));
    }

    private static int execute(ParseResult parsed, PrintStream out, PrintStream err) {
        if (CommandLine.printHelpIfRequested(parsed)) {
            return OK;
        }
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        CommandLine chosen = leaf.commandSpec().commandLine();
        if (chosen.getCommandSpec().userObject() instanceof Command command) {
            try {
                return command.run(out, err);
            } catch (RuntimeException e) {
                throw new CommandLine.ExecutionException(chosen, e.getMessage(), e);
            }
        }
        // a group without its command (ringkv, ringkv ring): what it offers
        chosen.usage(chosen.getOut());
        return USAGE;
    }

    private static int usageError(ParameterException error, PrintStream err) {
        CommandLine commandLine = error.getCommandLine();
        List<String> unmatched = error instanceof CommandLine.UnmatchedArgumentException unmatchedArguments
            ? unmatchedArguments.getUnmatched() : List.of();
        String typed = unmatched.isEmpty() ? "" : unmatched.getFirst();
        boolean unknownCommand = !typed.isEmpty() && !typed.startsWith("-")
            && !commandLine.getSubcommands().isEmpty();
        if (unknownCommand) {
            err.println(prefix(commandLine) + ": unknown command '" + typed + "'");
            suggest(typed, commandLine.getSubcommands().keySet(), err);
        } else {
            err.println(prefix(commandLine) + ": " + error.getMessage());
            if (typed.startsWith("--")) {
                suggestOption(typed.split("=", 2)[0], commandLine.getCommandSpec(), err);
            }
        }
        usage(commandLine, err);
        return USAGE;
    }

    /** The close options, or when none is close every option the command has. */
    private static void suggestOption(String typed, CommandSpec command, PrintStream err) {
        List<String> options = command.options().stream().map(option -> option.longestName())
            .filter(name -> name.startsWith("--")).toList();
        if (Suggestions.closest(typed, options).isEmpty()) {
            err.println("Options: " + String.join(", ", options));
        } else {
            suggest(typed, options, err);
        }
    }

    private static void suggest(String typed, java.util.Collection<String> names, PrintStream err) {
        List<String> close = Suggestions.closest(typed, names);
        if (!close.isEmpty()) {
            err.println("Did you mean: " + String.join(" or ", close) + "?");
        }
    }

    private static int failure(Exception error, CommandLine commandLine, PrintStream err) throws Exception {
        Throwable cause = error instanceof CommandLine.ExecutionException && error.getCause() != null
            ? error.getCause() : error;
        if (cause instanceof UsageException usage) {
            err.println(prefix(commandLine) + ": " + usage.getMessage());
            usage(commandLine, err);
            return USAGE;
        }
        if (cause instanceof KvException failed) {
            err.println(prefix(commandLine) + ": " + failed.getMessage());
            return FAILED;
        }
        // a bug, or a failure without a message for the operator: the stack trace says where
        throw cause instanceof Exception exception ? exception : error;
    }

    /** The command's synopsis and where its full help is: the error line stays in view above it. */
    private static void usage(CommandLine commandLine, PrintStream err) {
        err.print("Usage: " + commandLine.getHelp().synopsis(0));
        err.println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more.");
    }

    private static String prefix(CommandLine commandLine) {
        return commandLine.getCommandSpec().qualifiedName();
    }

    /** {@code ringkv} itself: the group of every command, with {@code --help} and {@code --version}. */
    @CommandLine.Command(name = "ringkv",
        description = "A Dynamo-style distributed key-value store that speaks the Redis protocol.",
        synopsisSubcommandLabel = "<command>",
        footer = {"", "'ringkv help <command>' or 'ringkv <command> --help' shows a command's options.",
            "Exit status: 0 ok, 1 the command failed, 2 the command line was wrong."})
    static final class RingkvCommand {
    }
}

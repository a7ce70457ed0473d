package io.ringkv.node.cli;

import io.ringkv.api.KvException;
import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Dispatches {@code ringkv <command> [options]} to the {@link Command} registered under that name. Commands
 * with two words ({@code ring simulate}) are registered under both words joined by a space.
 */
public final class Launcher {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private final Map<String, Command> commands;

    /** @param commands every command by its name */
    @Inject
    public Launcher(Map<String, Command> commands) {
        this.commands = new TreeMap<>(commands);
    }

    /**
     * @return the exit status: 0 on success, 1 when the command failed, 2 for a usage error
     */
    public int run(String[] args, PrintStream out, PrintStream err) {
        List<String> words = Arrays.asList(args);
        if (words.isEmpty() || words.getFirst().equals("help") || words.getFirst().equals("--help")) {
            out.print(usage());
            return words.isEmpty() ? USAGE : OK;
        }
        Map.Entry<String, Command> match = find(words);
        if (match == null) {
            err.println("ringkv: unknown command '" + String.join(" ", words.subList(0, Math.min(2, words.size())))
                + "'");
            err.print(usage());
            return USAGE;
        }
        Command command = match.getValue();
        int nameWords = match.getKey().split(" ").length;
        try {
            Options options = Options.parse(words.subList(nameWords, words.size()));
            if (options.helpRequested()) {
                out.print(command.usage());
                return OK;
            }
            return command.run(options, out, err);
        } catch (UsageException e) {
            err.println("ringkv " + match.getKey() + ": " + e.getMessage());
            err.print(command.usage());
            return USAGE;
        } catch (KvException e) {
            err.println("ringkv " + match.getKey() + ": " + e.getMessage());
            return FAILED;
        }
    }

    private Map.Entry<String, Command> find(List<String> words) {
        if (words.size() >= 2 && commands.containsKey(words.get(0) + " " + words.get(1))) {
            String name = words.get(0) + " " + words.get(1);
            return Map.entry(name, commands.get(name));
        }
        Command single = commands.get(words.getFirst());
        return single == null ? null : Map.entry(words.getFirst(), single);
    }

    /** @return the usage text listing every command */
    public String usage() {
        StringBuilder text = new StringBuilder("usage: ringkv <command> [options]\n\ncommands:\n");
        commands.forEach((name, command) ->
            text.append(String.format("  %-16s %s%n", name, command.summary())));
        text.append("\nringkv <command> --help shows a command's options.\n");
        return text.toString();
    }
}

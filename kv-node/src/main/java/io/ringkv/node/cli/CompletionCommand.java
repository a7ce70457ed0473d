package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.PrintStream;
import picocli.AutoComplete;
import picocli.CommandLine;

/** {@code ringkv completion}: a bash completion script of every command and option. */
@CommandLine.Command(name = "completion",
    description = {"Print a bash completion script for ringkv's commands and options.",
        "Load it into the running shell with: source <(ringkv completion)",
        "or save it for every new shell: ringkv completion > ~/.local/share/bash-completion/completions/ringkv"})
final class CompletionCommand implements Command {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Inject
    CompletionCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        out.print(AutoComplete.bash("ringkv", spec.root().commandLine()));
        out.flush();
        return Launcher.OK;
    }
}

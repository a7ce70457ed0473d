package io.ringkv.node.cli;

import java.io.PrintStream;

/** One sub-command of the {@code ringkv} launcher. */
public interface Command {

    /** @return one line for the launcher's usage text */
    String summary();

    /** @return the command's own usage text, options included */
    String usage();

    /**
     * Runs the command.
     *
     * @param options the parsed options after the command's name
     * @param out where results go
     * @param err where progress and errors go
     * @return the exit status: 0 on success, 1 when the work failed
     * @throws UsageException when the options are wrong
     */
    int run(Options options, PrintStream out, PrintStream err);
}

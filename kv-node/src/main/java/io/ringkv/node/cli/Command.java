package io.ringkv.node.cli;

import java.io.PrintStream;

/**
 * One command of the {@code ringkv} launcher: a class annotated with picocli's {@code @Command}, whose
 * {@code @Option} fields the launcher sets from the command line before it calls {@link #run}.
 */
public interface Command {

    /**
     * Runs the command.
     *
     * @param out where results go
     * @param err where progress, the node reached and errors go
     * @return the exit status: 0 on success, 1 when the work failed
     * @throws UsageException when the options are wrong (exit status 2)
     * @throws io.ringkv.api.KvException when the work failed; its message is printed (exit status 1)
     */
    int run(PrintStream out, PrintStream err);
}

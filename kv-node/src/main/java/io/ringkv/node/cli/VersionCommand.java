package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.PrintStream;
import picocli.CommandLine;

/** {@code ringkv version} (and {@code ringkv --version}): the ringkv and Java versions. */
@CommandLine.Command(name = "version", description = "Print the ringkv and Java versions.")
final class VersionCommand implements Command {

    @Inject
    VersionCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        out.println(text());
        return Launcher.OK;
    }

    /** @return {@code ringkv VERSION on Java VERSION}; the version is "development" outside a release */
    static String text() {
        var descriptor = VersionCommand.class.getModule().getDescriptor();
        String version = descriptor == null ? "development" : descriptor.rawVersion().orElse("development");
        return "ringkv " + version + " on Java " + Runtime.version();
    }

    /** What {@code --version} prints, for every command. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {text()};
        }
    }
}

package io.ringkv.node.cli;

import jakarta.inject.Inject;
import java.io.PrintStream;
import java.util.Set;

/** {@code ringkv version}: the ringkv and Java versions. */
final class VersionCommand implements Command {

    @Inject
    VersionCommand() {
    }

    @Override
    public String summary() {
        return "print the ringkv and Java versions";
    }

    @Override
    public String usage() {
        return "usage: ringkv version\n";
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) {
        options.rejectUnknown(Set.of());
        String version = VersionCommand.class.getModule().getDescriptor() == null
            ? "development"
            : VersionCommand.class.getModule().getDescriptor().rawVersion().orElse("development");
        out.println("ringkv " + version + " on Java " + Runtime.version());
        return Launcher.OK;
    }
}

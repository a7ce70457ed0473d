package io.ringkv.node;

import io.ringkv.node.cli.DaggerLauncherComponent;

/** Entry point of the {@code ringkv} command. */
public final class Main {
    private Main() {
    }

    /**
     * Runs the command named by {@code args} and exits with its status: 0 on success, 1 when the command
     * failed, 2 for a usage error, 3 when a node stopped because it could no longer serve.
     */
    public static void main(String[] args) {
        int status = DaggerLauncherComponent.create().launcher().run(args, System.out, System.err);
        System.exit(status);
    }
}

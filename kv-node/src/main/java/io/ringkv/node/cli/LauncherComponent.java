package io.ringkv.node.cli;

import dagger.Component;
import jakarta.inject.Singleton;

/** Wires the launcher and its commands. */
@Singleton
@Component(modules = CommandsModule.class)
public interface LauncherComponent {
    /** @return the launcher with every command registered */
    Launcher launcher();
}

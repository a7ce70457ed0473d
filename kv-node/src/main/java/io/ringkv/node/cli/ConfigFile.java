package io.ringkv.node.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A properties file of command options ({@code listen = 127.0.0.1:7400}: an option's name without its dashes)
 * that fills in the options a command line leaves out; the command line wins.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    /**
     * @return the file's settings
     * @throws UsageException when it cannot be read
     */
    static Properties load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
        }
        return properties;
    }

    /** @throws UsageException naming the first setting that is not an option of {@code command} (or is config) */
    static void rejectUnknown(Path file, Properties settings, CommandSpec command) {
        for (String name : new TreeSet<>(settings.stringPropertyNames())) {
            OptionSpec option = command.findOption("--" + name);
            if (option == null || name.equals("config") || option.usageHelp() || option.versionHelp()) {
                throw new UsageException("config file " + file + ": unknown option --" + name + "; a setting is an"
                    + " option of '" + command.qualifiedName() + " --help' without its dashes");
            }
        }
    }

    /** @return the file's value of each option, as its default */
    static CommandLine.IDefaultValueProvider defaults(Properties settings) {
        return argument -> {
            if (argument instanceof OptionSpec option) {
                String value = settings.getProperty(option.longestName().substring(2));
                return value == null ? null : value.trim();
            }
            return null;
        };
    }

    /** @return the options given on a command line, as {@code --name=value} words that parse to the same values */
    static List<String> givenOptions(CommandLine.ParseResult parsed) {
        List<String> words = new ArrayList<>();
        for (OptionSpec option : parsed.matchedOptions()) {
            for (String value : option.originalStringValues()) {
                words.add(option.longestName() + "=" + value);
            }
        }
        return words;
    }
}

package io.ringkv.node.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Parsed {@code --name value} / {@code --name=value} options. Every read names the option and the accepted
 * values when the input is wrong, and {@link #rejectUnknown(Set)} refuses options a command does not know.
 */
public final class Options {
    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    /** Name under which a command's one leading bare word (e.g. {@code ringkv removenode node3}) is kept. */
    public static final String ARGUMENT = "argument";

    /**
     * @param args arguments such as {@code --nodes 16 --strategy=balanced}, optionally led by one bare word
     *     (kept as {@link #ARGUMENT}; commands that take none refuse it through {@link #rejectUnknown})
     * @throws UsageException for a bare word after the first argument, a missing value or a repeated option
     */
    public static Options parse(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (i == 0 && !arg.startsWith("-")) {
                values.put(ARGUMENT, arg);
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "'; options look like --name value");
            }
            String name;
            String value;
            int equals = arg.indexOf('=');
            if (equals > 0) {
                name = arg.substring(2, equals);
                value = arg.substring(equals + 1);
            } else if (arg.equals("--help")) {
                name = "help";
                value = "true";
            } else {
                name = arg.substring(2);
                if (i + 1 >= args.size()) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (values.put(name, value) != null) {
                throw new UsageException("option --" + name + " is given twice");
            }
        }
        return new Options(values);
    }

    /**
     * Fills in options that were not given on the command line from a properties file whose keys are the option
     * names without the dashes ({@code listen = 127.0.0.1:7400}). The command line wins.
     *
     * @param file the properties file
     * @return the merged options
     * @throws UsageException when the file cannot be read
     */
    public Options withDefaultsFrom(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> merged = new LinkedHashMap<>();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            merged.put(name, properties.getProperty(name).trim());
        }
        merged.putAll(values);
        merged.remove("config");
        return new Options(merged);
    }

    /** @return true when {@code --help} was given */
    public boolean helpRequested() {
        return values.containsKey("help");
    }

    /** @throws UsageException naming the first option not in {@code known} and listing the known ones */
    public void rejectUnknown(Set<String> known) {
        for (String name : values.keySet()) {
            if (name.equals(ARGUMENT) && !known.contains(ARGUMENT)) {
                throw new UsageException("unexpected argument '" + values.get(name) + "'; options look like --name value");
            }
            if (!name.equals("help") && !known.contains(name)) {
                throw new UsageException("unknown option --" + name + "; known options: --"
                    + String.join(", --", new TreeSet<>(known)));
            }
        }
    }

    /** @return the option's value, or {@code fallback} when absent */
    public String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /**
     * @return the option as an integer within [min, max], or {@code fallback} when absent
     * @throws UsageException when not a number or out of range
     */
    public int integer(String name, int fallback, int min, int max) {
        String text = values.get(name);
        return text == null ? fallback : parseInt(name, text, min, max);
    }

    /**
     * @return the option as a comma-separated list of integers within [min, max], or {@code fallback}
     * @throws UsageException when an element is not a number or out of range
     */
    public List<Integer> integers(String name, List<Integer> fallback, int min, int max) {
        return list(name, fallback, text -> parseInt(name, text, min, max));
    }

    /**
     * @return the option as a comma-separated list of words from {@code allowed}, or {@code fallback}
     * @throws UsageException when an element is not allowed
     */
    public List<String> words(String name, List<String> fallback, Set<String> allowed) {
        return list(name, fallback, text -> {
            if (!allowed.contains(text)) {
                throw new UsageException("--" + name + " must be one of " + String.join(", ", new TreeSet<>(allowed))
                    + ", was '" + text + "'");
            }
            return text;
        });
    }

    /**
     * @return the option as a long, or {@code fallback} when absent
     * @throws UsageException when not a number
     */
    public long longValue(String name, long fallback) {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, was '" + text + "'");
        }
    }

    /**
     * @return the option as a finite decimal number, or {@code fallback} when absent
     * @throws UsageException when not a number
     */
    public double decimal(String name, double fallback) {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(text.trim());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + name + " must be a number, was '" + text + "'");
    }

    private <T> List<T> list(String name, List<T> fallback, Function<String, T> parse) {
        String text = values.get(name);
        if (text == null) {
            return fallback;
        }
        List<T> parsed = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            parsed.add(parse.apply(part.trim()));
        }
        return Collections.unmodifiableList(parsed);
    }

    private static int parseInt(String name, String text, int min, int max) {
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number from " + min + " to " + max
                + ", was '" + text + "'");
        }
        if (value < min || value > max) {
            throw new UsageException("--" + name + " must be from " + min + " to " + max + ", was " + value);
        }
        return value;
    }
}

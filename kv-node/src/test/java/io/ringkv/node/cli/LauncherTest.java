package io.ringkv.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LauncherTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        Launcher launcher = DaggerLauncherComponent.create().launcher();
        return launcher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noArgumentsPrintsTheCommandsAndIsAUsageError() {
        assertEquals(2, run());
        assertTrue(out().contains("ring simulate") && out().contains("version"), out());
    }

    @Test
    void anUnknownCommandIsAUsageErrorNamingIt() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'"), err());
    }

    @Test
    void ringSimulatePrintsOneJsonLinePerConfiguration() {
        assertEquals(0, run("ring", "simulate", "--nodes", "6,9", "--vnodes", "4", "--rf", "3",
            "--strategy", "random,balanced", "--seed", "7"));
        List<String> lines = out().lines().toList();
        assertEquals(4, lines.size(), out());
        for (String field : List.of("nodes", "vnodes", "rf", "strategy", "primary_cv", "replica_cv",
            "max_over_mean", "moved_fraction", "ideal_fraction")) {
            assertTrue(lines.getFirst().contains("\"" + field + "\":"), field + " missing in " + lines.getFirst());
        }
        assertEquals(6, number(lines.get(0), "nodes"));
        assertEquals(9, number(lines.get(1), "nodes"));
        assertTrue(lines.get(0).contains("\"strategy\":\"random\""), lines.get(0));
        assertTrue(lines.get(3).contains("\"strategy\":\"balanced\""), lines.get(3));
        assertEquals(3.0 / 10, number(lines.get(1), "ideal_fraction"), 1e-3);
    }

    @Test
    void ringSimulateRejectsBadValuesNamingTheOptionAndRange() {
        assertEquals(2, run("ring", "simulate", "--nodes", "many"));
        assertTrue(err().contains("--nodes must be a whole number from 1 to 10000, was 'many'"), err());
    }

    @Test
    void ringSimulateRejectsAnUnknownStrategyListingTheKnownOnes() {
        assertEquals(2, run("ring", "simulate", "--strategy", "roundrobin"));
        assertTrue(err().contains("--strategy must be one of balanced, random"), err());
    }

    @Test
    void ringSimulateRejectsUnknownOptionsListingTheKnownOnes() {
        assertEquals(2, run("ring", "simulate", "--tokens", "8"));
        assertTrue(err().contains("unknown option --tokens") && err().contains("--vnodes"), err());
    }

    @Test
    void helpPrintsTheCommandsOptions() {
        assertEquals(0, run("ring", "simulate", "--help"));
        assertTrue(out().contains("--strategy"), out());
    }

    @Test
    void versionNamesTheJavaRuntime() {
        assertEquals(0, run("version"));
        assertTrue(out().startsWith("ringkv ") && out().contains("Java " + Runtime.version().feature()), out());
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}

package io.ringkv.node.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The names closest to a mistyped one: at most a few edits away (a swap of two letters is one edit), or that it
 * begins.
 */
final class Suggestions {
    private static final int MAX_SUGGESTIONS = 3;

    private Suggestions() {
    }

    /** @return the names within reach of {@code typed} or that it begins, closest first, at most three */
    static List<String> closest(String typed, Collection<String> names) {
        int reach = Math.max(2, typed.length() / 3);
        return names.stream()
            .filter(name -> distance(typed, name) <= reach || typed.length() >= 3 && name.startsWith(typed))
            .sorted(Comparator.comparingInt((String name) -> distance(typed, name)).thenComparing(name -> name))
            .limit(MAX_SUGGESTIONS)
            .toList();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

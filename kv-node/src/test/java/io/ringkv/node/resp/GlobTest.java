package io.ringkv.node.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** MATCH patterns behave as Redis' stringmatchlen. */
class GlobTest {
    @Test
    void matchesAsRedisDoes() {
        String[][] cases = {
            // pattern, key, "1" when it matches
            {"*", "", "1"}, {"*", "anything", "1"}, {"", "", "1"}, {"", "a", "0"},
            {"user:*", "user:42", "1"}, {"user:*", "users", "0"}, {"*:42", "user:42", "1"},
            {"h?llo", "hello", "1"}, {"h?llo", "hllo", "0"}, {"h*llo", "hllo", "1"}, {"h*llo", "heeeello", "1"},
            {"h[ae]llo", "hallo", "1"}, {"h[ae]llo", "hillo", "0"}, {"h[^e]llo", "hallo", "1"},
            {"h[^e]llo", "hello", "0"}, {"h[a-b]llo", "hbllo", "1"}, {"h[b-a]llo", "hallo", "1"},
            {"h[a-b]llo", "hcllo", "0"}, {"h\\*llo", "h*llo", "1"}, {"h\\*llo", "hello", "0"},
            {"[\\]]", "]", "1"}, {"a*b*c", "aXbYc", "1"}, {"a*b*c", "aXbY", "0"}, {"**a", "a", "1"},
            {"Key", "key", "0"}, {"h[ab", "ha", "1"}, {"a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0"},
        };
        for (String[] c : cases) {
            boolean expected = c[2].equals("1");
            assertEquals(expected, new Glob(bytes(c[0])).matches(bytes(c[1])), c[0] + " against " + c[1]);
        }
    }

    @Test
    void runsOfStarsAreOneStarAndAnEscapedStarStaysALiteral() {
        Glob manyStars = new Glob(bytes("*".repeat(1_000_000) + "x"));
        assertEquals(true, manyStars.matches(bytes("abcx")));
        assertEquals(false, manyStars.matches(bytes("abcy")));
        assertEquals(true, new Glob(bytes("a**b")).matches(bytes("aXYb")));
        assertEquals(true, new Glob(bytes("a\\**")).matches(bytes("a*anything")), "an escaped star, then a star");
        assertEquals(false, new Glob(bytes("a\\**")).matches(bytes("ab")), "the escaped star must be there");
        assertEquals(true, new Glob(bytes("a\\*\\*")).matches(bytes("a**")), "two escaped stars are two literals");
        assertEquals(false, new Glob(bytes("a\\*\\*")).matches(bytes("a*")));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

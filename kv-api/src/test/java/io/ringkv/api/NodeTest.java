package io.ringkv.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeTest {
    /** The rule for node ids as a regular expression, which the product checks by hand. */
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/no", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void malformedNodeIdsAreRejected(String id) {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KvException.class, () -> NodeId.of(id)).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"n1", "a", "Zone-1.rack_2",
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._",
        "é", "n@1", "n[1", "n`1", "n{1", "n:1", "n/1", "n 1", "n\u00001"})
    void anIdIsValidExactlyWhenItIsOneTo64CharactersOfTheAllowedSet(String id) {
        assertEquals(ALLOWED.matcher(id).matches(), NodeId.isValid(id), id);
    }

    @Test
    void randomIdsAreJudgedAsTheRuleSays() {
        // every character code from 0 to 127 and a few beyond, lengths 0 to 70: the hand-written check agrees with
        // the rule's regular expression
        SplittableRandom random = new SplittableRandom(14);
        int valid = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder id = new StringBuilder();
            int length = random.nextInt(71);
            for (int j = 0; j < length; j++) {
                id.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x180) : "ab.Z9_-"
                    .charAt(random.nextInt(7)));
            }
            boolean expected = ALLOWED.matcher(id).matches();
            assertEquals(expected, NodeId.isValid(id.toString()), id::toString);
            valid += expected ? 1 : 0;
        }
        assertTrue(valid > 1_000 && valid < 19_000, "both outcomes drawn often: " + valid);
    }

    @Test
    void portsOutsideTheValidRangeAreRejected() {
        assertThrows(KvException.class, () -> Node.of("n1", "127.0.0.1", 0, 6379));
        assertThrows(KvException.class, () -> Node.of("n1", "127.0.0.1", 7000, 65_536));
    }

    @Test
    void nodesDefaultToOneRackAndCanBePlaced() {
        Node node = Node.of("n1", "127.0.0.1", 7000, 6379);
        assertEquals("zone1/rack1", node.failureDomain());
        assertEquals("az2/r7", node.inRack("az2", "r7").failureDomain());
    }
}

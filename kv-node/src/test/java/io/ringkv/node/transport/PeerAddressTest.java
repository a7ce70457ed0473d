package io.ringkv.node.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which peers get loopback-sized datagrams, told from the address alone. */
class PeerAddressTest {
    @Test
    void loopbackAddressesAreKnownWithoutALookup() {
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "127.255.1.9", "localhost", "::1", "[::1]"}) {
            assertTrue(new PeerAddress(host, 7400).isLoopback(), host);
        }
        for (String host : new String[] {"10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.1.5", "127.0.0.256",
            "127.0.0.x", "127..0.1", "1270.0.0.1", "127.0.0.0001", "node1.example", "::2", "fe80::1"}) {
            assertFalse(new PeerAddress(host, 7400).isLoopback(), host);
        }
    }

    @Test
    void publicationsToLoopbackPeersUseLargerDatagramsOnly() {
        int term = 1 << 20;
        assertEquals("aeron:udp?endpoint=127.0.0.2:7400|term-length=1048576|mtu=" + PeerAddress.LOOPBACK_MTU,
            PeerAddress.parse("127.0.0.2:7400").publicationChannel(term));
        assertEquals("aeron:udp?endpoint=10.1.2.3:7400|term-length=1048576",
            PeerAddress.parse("10.1.2.3:7400").publicationChannel(term));
        assertEquals("aeron:udp?endpoint=127.0.0.2:7400|term-length=1048576",
            PeerAddress.parse("127.0.0.2:7400").channel(term), "a subscription takes any datagram size");
    }
}

package io.ringkv.node.transport;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.agrona.concurrent.UnsafeBuffer;

/** What the peer authentication tests make datagrams and keys with. */
final class TestDatagrams {
    private TestDatagrams() {
    }

    /** @return a cluster key of {@link ClusterKey#MIN_KEY_BYTES} bytes, the same for the same seed */
    static byte[] key(int seed) {
        byte[] key = new byte[ClusterKey.MIN_KEY_BYTES];
        new SplittableRandom(seed).nextBytes(key);
        return key;
    }

    /** @return a copy of {@code datagram}, which must be backed by an array */
    static UnsafeBuffer copy(UnsafeBuffer datagram) {
        return new UnsafeBuffer(Arrays.copyOf(datagram.byteArray(), datagram.capacity()));
    }

    /** @return a copy of {@code datagram} (backed by an array) with bit {@code bit} flipped, 0 the lowest of byte 0 */
    static UnsafeBuffer withBitFlipped(UnsafeBuffer datagram, int bit) {
        UnsafeBuffer altered = copy(datagram);
        int index = bit / Byte.SIZE;
        altered.putByte(index, (byte) (altered.getByte(index) ^ (1 << (bit % Byte.SIZE))));
        return altered;
    }
}

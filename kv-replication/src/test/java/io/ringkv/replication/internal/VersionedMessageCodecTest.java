package io.ringkv.replication.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.api.Dot;
import io.ringkv.api.HybridTimestamp;
import io.ringkv.api.Key;
import io.ringkv.api.Limits;
import io.ringkv.api.NodeId;
import io.ringkv.api.SiblingSet;
import io.ringkv.api.Value;
import io.ringkv.api.VectorClock;
import io.ringkv.api.Version;
import io.ringkv.api.Versioned;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Messages carrying versions decode as encoded, whatever mix of values and tombstones they hold: the encoder reads
 * each value through one reused view, so a tombstone after a value, or a short value after a long one, must not
 * carry any of the one before.
 */
class VersionedMessageCodecTest {
    private final MessageCodec codec = new MessageCodec(Limits.DEFAULT, 8, 64 * 1024);

    private static Version version(int counter) {
        return new Version(new Dot(NodeId.of("n" + counter), counter), VectorClock.empty(),
            new HybridTimestamp(1_000 + counter, counter));
    }

    private static List<Versioned> mixed() {
        byte[] long_ = new byte[1024];
        for (int i = 0; i < long_.length; i++) {
            long_[i] = (byte) (i * 13 + 1);
        }
        return List.of(Versioned.of(version(1), Value.of(long_)), Versioned.tombstone(version(2)),
            Versioned.of(version(3), Value.utf8("abc")), Versioned.of(version(4), Value.of(new byte[0])),
            Versioned.tombstone(version(5)));
    }

    @Test
    void writesHintedWritesAndReadRepliesCarryEveryValueAndTombstoneAsGiven() {
        Key key = Key.utf8("k");
        int length = codec.encodeWrite(11, -3, key, mixed());
        assertEquals(new Message.Write(11, -3, key, mixed()), codec.decode(copy(length), 0, length));

        length = codec.encodeHintedWrite(12, 4, key, mixed(), NodeId.of("owner"), 99);
        Message.HintedWrite hinted = (Message.HintedWrite) codec.decode(copy(length), 0, length);
        assertEquals(mixed(), hinted.versions());

        length = codec.encodeReadReply(13, true, new SiblingSet(mixed()));
        assertEquals(new Message.ReadReply(13, true, mixed()), codec.decode(copy(length), 0, length));
    }

    @Test
    void aTombstoneCarriesNoBytesOfTheValueEncodedBeforeIt() {
        Key key = Key.utf8("k");
        Versioned value = mixed().get(0);
        Versioned tombstone = Versioned.tombstone(version(2));
        int valueAlone = codec.encodeWrite(1, 0, key, List.of(value));
        int valueThenTombstone = codec.encodeWrite(1, 0, key, List.of(value, tombstone));
        int tombstoneAlone = codec.encodeWrite(1, 0, key, List.of(tombstone));
        int none = codec.encodeWrite(1, 0, key, List.of());
        assertEquals(tombstoneAlone - none, valueThenTombstone - valueAlone,
            "a tombstone after a 1 KiB value must add what a tombstone alone adds");
    }

    private UnsafeBuffer copy(int length) {
        UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, codec.sendBuffer(), 0, length);
        return copy;
    }
}

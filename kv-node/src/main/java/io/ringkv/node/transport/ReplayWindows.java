package io.ringkv.node.transport;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * One {@link ReplayWindow} per sender, as a receiver keeps them. Only a datagram whose tag is good may be judged
 * here, so a forger cannot push honest datagrams out of a window, nor grow this map.
 */
final class ReplayWindows {
    private final Long2ObjectHashMap<ReplayWindow> windows = new Long2ObjectHashMap<>();

    /**
     * @param datagram holds an envelope at {@code offset} whose tag was checked
     * @return {@link PeerAuthentication#ACCEPTED} the first time its sender's generation and sequence are seen,
     *     {@link PeerAuthentication#REPLAYED} after
     */
    int judge(DirectBuffer datagram, int offset) {
        long sender = Envelope.sender(datagram, offset);
        ReplayWindow window = windows.get(sender);
        if (window == null) {
            window = new ReplayWindow();
            windows.put(sender, window);
        }
        return window.accept(Envelope.generation(datagram, offset), Envelope.sequence(datagram, offset))
            ? PeerAuthentication.ACCEPTED : PeerAuthentication.REPLAYED;
    }
}

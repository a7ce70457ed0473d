package io.ringkv.node.transport;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.media.SendChannelEndpoint;
import io.aeron.driver.media.UdpChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The media driver's socket to one peer, watched by the node's {@link PeerSockets}: the peer's status messages
 * (which open the flow-control window) and retransmission requests arrive on it, and wake the sleeping agent.
 */
final class WatchedSendEndpoint extends SendChannelEndpoint {
    private final PeerSockets sockets;
    /** Set when the socket opens; until then the endpoint has no socket to read. */
    private PeerSockets.Watch watch;

    WatchedSendEndpoint(UdpChannel channel, AtomicCounter statusIndicator, MediaDriver.Context context,
                        PeerSockets sockets) {
        super(channel, statusIndicator, context);
        this.sockets = sockets;
    }

    @Override
    public void openChannel() {
        super.openChannel();
        watch = sockets.register(receiveDatagramChannel());
    }

    /** Reads only when the node's last select saw a datagram on this socket: no empty {@code recvfrom} per cycle. */
    @Override
    public InetSocketAddress receive(ByteBuffer buffer) {
        if (watch == null) {
            return super.receive(buffer);
        }
        return watch.mayReceive() ? watch.afterRead(super.receive(buffer)) : null;
    }

    @Override
    public void close() {
        super.close();
        if (watch != null) {
            watch.closed();
        }
    }
}

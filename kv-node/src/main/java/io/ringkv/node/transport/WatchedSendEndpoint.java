package io.ringkv.node.transport;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.media.SendChannelEndpoint;
import io.aeron.driver.media.UdpChannel;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The media driver's socket to one peer, watched by the node's {@link PeerSockets}: the peer's status messages
 * (which open the flow-control window) and retransmission requests arrive on it, and wake the sleeping agent.
 */
final class WatchedSendEndpoint extends SendChannelEndpoint {
    private final PeerSockets sockets;

    WatchedSendEndpoint(UdpChannel channel, AtomicCounter statusIndicator, MediaDriver.Context context,
                        PeerSockets sockets) {
        super(channel, statusIndicator, context);
        this.sockets = sockets;
    }

    @Override
    public void openChannel() {
        super.openChannel();
        sockets.register(receiveDatagramChannel());
    }

    @Override
    public void close() {
        super.close();
        sockets.endpointClosed();
    }
}

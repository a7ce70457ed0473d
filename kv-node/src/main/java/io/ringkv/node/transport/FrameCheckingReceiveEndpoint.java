package io.ringkv.node.transport;

import io.aeron.driver.DataPacketDispatcher;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.UdpChannel;
import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.protocol.HeaderFlyweight;
import io.aeron.protocol.RttMeasurementFlyweight;
import io.aeron.protocol.SetupFlyweight;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The media driver's receiving end of the peer port, with one more check before a datagram reaches Aeron's
 * receiver: it must be long enough for the header its frame type declares, and a data or padding frame's length
 * must be one that frame can have. Aeron itself checks only the first 8 bytes, then reads the rest of the header
 * from its receive buffer, where the previous datagram's bytes still lie: a 12-byte "data frame" thus borrowed a
 * live image's session and term, and the receiver copied a negative length into that image (an
 * {@code IndexOutOfBoundsException} per datagram). A datagram that fails is dropped and counted, never thrown.
 *
 * <p>Its socket is watched by the node's {@link PeerSockets}, so a datagram wakes the sleeping agent.
 *
 * <p>Runs on the driver's receiver duty cycle, which in INVOKER mode is the node's agent thread.
 */
final class FrameCheckingReceiveEndpoint extends ReceiveChannelEndpoint {
    private final Runnable onInvalidFrame;
    private final PeerSockets sockets;
    /** Set when the socket opens; until then the endpoint has no socket to read. */
    private PeerSockets.Watch watch;

    FrameCheckingReceiveEndpoint(UdpChannel channel, DataPacketDispatcher dispatcher, AtomicCounter statusIndicator,
                                 MediaDriver.Context context, Runnable onInvalidFrame, PeerSockets sockets) {
        super(channel, dispatcher, statusIndicator, context);
        this.onInvalidFrame = onInvalidFrame;
        this.sockets = sockets;
    }

    /** Opens the socket, which then wakes the sleeping agent when a datagram arrives. */
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

    @Override
    public boolean isValidFrame(UnsafeBuffer buffer, int length) {
        if (!super.isValidFrame(buffer, length)) {
            // Aeron counts these itself (too short for any header, or another protocol version); ours too
            onInvalidFrame.run();
            return false;
        }
        if (!isWellFormed(buffer, length)) {
            onInvalidFrame.run();
            return false;
        }
        return true;
    }

    /**
     * @param length the datagram's length, at least {@link HeaderFlyweight#MIN_HEADER_LENGTH}
     * @return true when a frame of this type may be this long and declare this frame length
     */
    static boolean isWellFormed(UnsafeBuffer buffer, int length) {
        int frameLength = buffer.getInt(HeaderFlyweight.FRAME_LENGTH_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
        return switch (buffer.getShort(HeaderFlyweight.TYPE_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) {
            // a heartbeat is a bare header declaring length 0; other data frames hold what they declare (a datagram
            // may carry several frames, so it can be longer)
            case HeaderFlyweight.HDR_TYPE_DATA -> length >= DataHeaderFlyweight.HEADER_LENGTH
                && (frameLength == 0 ? length == DataHeaderFlyweight.HEADER_LENGTH
                    : frameLength >= DataHeaderFlyweight.HEADER_LENGTH && frameLength <= length);
            // padding travels as its header alone and declares the rest of the term, or what appendPadding asked
            // for plus the header: not necessarily aligned, so only the header length is a floor
            case HeaderFlyweight.HDR_TYPE_PAD -> length >= DataHeaderFlyweight.HEADER_LENGTH
                && frameLength >= DataHeaderFlyweight.HEADER_LENGTH;
            case HeaderFlyweight.HDR_TYPE_SETUP -> length >= SetupFlyweight.HEADER_LENGTH;
            case HeaderFlyweight.HDR_TYPE_RTTM -> length >= RttMeasurementFlyweight.HEADER_LENGTH;
            // the receiving end handles no other type: Aeron would ignore it, we count it
            default -> false;
        };
    }
}

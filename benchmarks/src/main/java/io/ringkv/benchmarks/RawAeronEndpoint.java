package io.ringkv.benchmarks;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.nio.file.Path;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * The baseline of the transport benchmark: the same embedded media driver in INVOKER mode and the same
 * publication/subscription pair as ringkv's transport, written straight against the Aeron API, with no envelope,
 * no routing and no counters.
 */
final class RawAeronEndpoint implements AutoCloseable {
    private static final int STREAM_ID = 2002;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final Subscription subscription;
    private final FragmentHandler handler;
    private final long publicationRegistration;
    private ExclusivePublication publication;

    RawAeronEndpoint(Path directory, int listenPort, int peerPort, FragmentHandler handler) {
        this.handler = handler;
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(directory.toString())
            .threadingMode(ThreadingMode.INVOKER)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            // the driver's helper thread (name resolution) would otherwise poll at a few percent of a core
            .asyncExecutorIdleStrategy(new SleepingMillisIdleStrategy(10))
            .publicationTermBufferLength(1 << 20));
        driverInvoker = driver.sharedAgentInvoker();
        if (!driverInvoker.isStarted()) {
            driverInvoker.start();
        }
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
            .driverAgentInvoker(driverInvoker).useConductorAgentInvoker(true));
        clientInvoker = aeron.conductorAgentInvoker();
        subscription = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:" + listenPort, STREAM_ID);
        publicationRegistration = aeron.asyncAddExclusivePublication(
            "aeron:udp?endpoint=127.0.0.1:" + peerPort + "|term-length=1048576", STREAM_ID);
    }

    int doWork() {
        return housekeeping() + subscription.poll(handler, 64);
    }

    /**
     * Runs the embedded driver's and the client's duty cycles and resolves the publication once it exists. A
     * sender waiting on a publication that is not ready or back-pressured must call it: in INVOKER mode nothing
     * else moves the driver.
     */
    int housekeeping() {
        int work = driverInvoker.invoke() + clientInvoker.invoke();
        if (publication == null) {
            publication = aeron.getExclusivePublication(publicationRegistration);
        }
        return work;
    }

    /** @return true when the message went out */
    boolean send(DirectBuffer buffer, int offset, int length) {
        return publication != null && publication.offer(buffer, offset, length) > 0;
    }

    boolean isConnected() {
        return publication != null && publication.isConnected();
    }

    @Override
    public void close() {
        CloseHelper.closeAll(aeron, driver);
    }
}

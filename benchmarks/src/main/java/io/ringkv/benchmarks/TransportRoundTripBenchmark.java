package io.ringkv.benchmarks;

import io.ringkv.api.MessageHeader;
import io.ringkv.api.NodeId;
import io.ringkv.api.SendResult;
import io.ringkv.node.runtime.AdaptiveIdleStrategy;
import io.ringkv.node.runtime.IdlePreset;
import io.ringkv.node.transport.AeronTransport;
import io.ringkv.node.transport.ClusterKey;
import io.ringkv.node.transport.PeerAddress;
import io.ringkv.node.transport.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Round trip of a 1 KiB message between two endpoints on 127.0.0.1, each with its own embedded media driver:
 * {@code ringkv} through {@link AeronTransport} (envelope, routing by schema id, counters),
 * {@code ringkvAuthenticated} the same with a cluster key (an HMAC-SHA-256 tag made and checked per datagram, and the
 * replay window), {@code ringkvEncrypted} with the key and {@code --peer-encryption} (AES-256-GCM seals and opens
 * every message), {@code rawAeron} through the bare Aeron API. The echo side runs on its own agent thread with the
 * chosen idle strategy; the measuring thread drives its endpoint with the same strategy while it waits. Each
 * benchmark starts only its own two endpoints.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx512m"})
public class TransportRoundTripBenchmark {
    private static final int PAYLOAD = 1024;
    private static final int SCHEMA = 99;
    private static final NodeId CLIENT = NodeId.of("client");
    private static final NodeId ECHO = NodeId.of("echo");

    @Param({"adaptive", "backoff"})
    String idle;

    private Path directory;
    private IdleStrategy waiting;
    private final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MessageHeader.LENGTH + PAYLOAD));

    private RingkvPair ringkv;
    private RingkvPair authenticated;
    private RingkvPair encrypted;
    private RingkvPair woken;

    private RawAeronEndpoint rawClient;
    private RawAeronEndpoint rawEcho;
    private AgentRunner rawEchoRunner;
    private boolean rawReplied;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws IOException {
        directory = Files.createTempDirectory("ringkv-rtt");
        IdlePreset preset = IdlePreset.parse(idle);
        waiting = preset.newStrategy();
        message.putShort(0, (short) PAYLOAD, ByteOrder.LITTLE_ENDIAN);
        message.putShort(2, (short) 1, ByteOrder.LITTLE_ENDIAN);
        message.putShort(4, (short) SCHEMA, ByteOrder.LITTLE_ENDIAN);
        message.putShort(6, (short) 1, ByteOrder.LITTLE_ENDIAN);
        // only the endpoints the benchmark measures: idle echo threads of the others would share the two cores
        String measured = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        switch (measured) {
            case "ringkv" -> ringkv = new RingkvPair(preset, null, false);
            case "ringkvAuthenticated" -> authenticated = new RingkvPair(preset, clusterKey(), false);
            case "ringkvEncrypted" -> encrypted = new RingkvPair(preset, clusterKey().encrypting(), false);
            case "ringkvWokenBySockets" -> woken = new RingkvPair(preset, null, true);
            default -> startRaw(preset);
        }
    }

    /** A key file as {@code ringkv cluster-key generate --out} writes it, read as a node reads it. */
    private ClusterKey clusterKey() throws IOException {
        Path file = directory.resolve("cluster.key");
        Files.writeString(file, ClusterKey.generate(new SecureRandom()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return ClusterKey.load(file);
    }

    /** A client and an echo through {@link AeronTransport}, with datagrams tagged when given a key. */
    private final class RingkvPair {
        final AeronTransport client;
        final AeronTransport echo;
        final AgentRunner echoRunner;
        final IdleStrategy clientWaiting;
        boolean replied;

        /** @param sockets both sides sleep on their peer sockets (adaptive only), as a node's agent does */
        RingkvPair(IdlePreset preset, ClusterKey key, boolean sockets) {
            PeerAddress clientAddress = new PeerAddress("127.0.0.1", freePort());
            PeerAddress echoAddress = new PeerAddress("127.0.0.1", freePort());
            String name = key == null ? "ringkv" : key.encrypts() ? "ringkv-encrypted" : "ringkv-authenticated";
            client = AeronTransport.start(new TransportConfig(CLIENT, clientAddress, Map.of(ECHO, echoAddress),
                directory.resolve(name + "-client"), TransportConfig.DEFAULT_TERM_LENGTH).withClusterKey(key));
            echo = AeronTransport.start(new TransportConfig(ECHO, echoAddress, Map.of(CLIENT, clientAddress),
                directory.resolve(name + "-echo"), TransportConfig.DEFAULT_TERM_LENGTH).withClusterKey(key));
            // as a node does before it sends: encryption's nonces need the run's generation
            client.generation(1);
            echo.generation(1);
            client.register(SCHEMA, (sender, buffer, offset, length) -> replied = true);
            echo.register(SCHEMA, (sender, buffer, offset, length) -> {
                // the driver runs only when invoked (INVOKER mode): it must run while the echo waits to send
                while (echo.send(sender, buffer, offset, length) == SendResult.BACK_PRESSURED) {
                    echo.doHousekeeping();
                }
            });
            IdleStrategy echoWaiting = preset.newStrategy();
            clientWaiting = preset.newStrategy();
            if (sockets && echoWaiting instanceof AdaptiveIdleStrategy echoAdaptive
                && clientWaiting instanceof AdaptiveIdleStrategy clientAdaptive) {
                echoAdaptive.sleepOn(echo.sockets());
                clientAdaptive.sleepOn(client.sockets());
            }
            echoRunner = runner(echoWaiting, name + "-echo", echo::doWork);
            // both publications are created on first send: repeat until one full round trip has come back
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!replied && System.nanoTime() < deadline) {
                client.send(ECHO, message, 0, message.capacity());
                long resendAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
                while (!replied && System.nanoTime() < resendAt) {
                    client.doWork();
                }
            }
            if (!replied) {
                throw new IllegalStateException("no round trip through the " + name + " transports within 30 s");
            }
        }

        boolean roundTrip() {
            replied = false;
            while (client.send(ECHO, message, 0, message.capacity()) != SendResult.SENT) {
                client.doWork();
            }
            clientWaiting.reset();
            while (!replied) {
                clientWaiting.idle(client.doWork());
            }
            return replied;
        }

        void close() {
            echoRunner.close();
            client.close();
        }
    }

    private void startRaw(IdlePreset preset) {
        int clientPort = freePort();
        int echoPort = freePort();
        rawClient = new RawAeronEndpoint(directory.resolve("raw-client"), clientPort, echoPort,
            (buffer, offset, length, header) -> rawReplied = true);
        RawAeronEndpoint[] echo = new RawAeronEndpoint[1];
        echo[0] = new RawAeronEndpoint(directory.resolve("raw-echo"), echoPort, clientPort,
            (buffer, offset, length, header) -> {
                while (!echo[0].send(buffer, offset, length)) {
                    echo[0].housekeeping();
                }
            });
        rawEcho = echo[0];
        rawEchoRunner = runner(preset.newStrategy(), "raw-echo", rawEcho::doWork);
        while (!rawClient.isConnected()) {
            rawClient.doWork();
        }
    }

    private static AgentRunner runner(IdleStrategy idle, String name, java.util.function.IntSupplier work) {
        AgentRunner runner = new AgentRunner(idle, Throwable::printStackTrace, null, new Agent() {
            @Override
            public int doWork() {
                return work.getAsInt();
            }

            @Override
            public String roleName() {
                return name;
            }
        });
        AgentRunner.startOnThread(runner);
        return runner;
    }

    @Benchmark
    public boolean ringkv() {
        return ringkv.roundTrip();
    }

    /** As {@link #ringkv()}, with every datagram tagged and checked under a cluster key. */
    @Benchmark
    public boolean ringkvAuthenticated() {
        return authenticated.roundTrip();
    }

    /** As {@link #ringkv()}, with every message encrypted and authenticated under keys made from a cluster key. */
    @Benchmark
    public boolean ringkvEncrypted() {
        return encrypted.roundTrip();
    }

    /** As {@link #ringkv()}, both sides sleeping on their peer sockets as a node's agent does (adaptive only). */
    @Benchmark
    public boolean ringkvWokenBySockets() {
        return woken.roundTrip();
    }

    @Benchmark
    public boolean rawAeron() {
        rawReplied = false;
        while (!rawClient.send(message, 0, message.capacity())) {
            rawClient.doWork();
        }
        waiting.reset();
        while (!rawReplied) {
            waiting.idle(rawClient.doWork());
        }
        return rawReplied;
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (ringkv != null) {
            ringkv.close();
        }
        if (authenticated != null) {
            authenticated.close();
        }
        if (encrypted != null) {
            encrypted.close();
        }
        if (woken != null) {
            woken.close();
        }
        if (rawClient != null) {
            rawEchoRunner.close();
            rawClient.close();
        }
    }

    private static int freePort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

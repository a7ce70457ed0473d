package io.ringkv.node.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reloading key manager, driven by hand with a clock of the test's: what a handshake asks of it (an alias, then
 * that alias's key and chain) stays one consistent pair while another handshake reloads the file, and a file that
 * once failed to load is taken when it is completed. Certificates made by the JDK's keytool, once for the class.
 */
class ReloadingTlsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @TempDir
    static Path certificates;
    private static Path nodeA;
    private static Path nodeB;

    @TempDir
    Path directory;
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        // the same alias in both, as an operator's renewed keystore has
        nodeA = keystore(certificates, "node-a", "a.p12");
        nodeB = keystore(certificates, "node-b", "b.p12");
    }

    @Test
    void aHandshakeGetsTheKeyAndChainOfOneLoadWhileAnotherHandshakeReloads() throws Exception {
        Path keystore = Files.copy(nodeA, directory.resolve("node.p12"));
        X509ExtendedKeyManager keys = load(keystore).keyManager();

        // handshake 1 chooses its alias and takes its key...
        String alias = keys.chooseEngineServerAlias("EC", null, null);
        PrivateKey key = keys.getPrivateKey(alias);
        // ...a renewed certificate arrives and handshake 2 reloads it...
        replace(keystore, nodeB, 60);
        clock.addAndGet(2 * SECOND);
        keys.chooseEngineServerAlias("EC", null, null);
        assertTrue(events.stream().anyMatch(e -> e.contains("reloaded")), events.toString());
        // ...then handshake 1 takes its chain: it must be the one its key signs for
        X509Certificate[] chain = keys.getCertificateChain(alias);
        assertNotNull(chain, "the chain of the alias the handshake chose");
        assertTrue(signs(key, chain[0]), "the key of one load and the chain of another: "
            + chain[0].getSubjectX500Principal());
        assertTrue(chain[0].getSubjectX500Principal().getName().contains("CN=node-a"));
    }

    @Test
    void aFileThatFailedHalfWrittenIsTakenOnceCompleteEvenWithTheSameModificationTime() throws Exception {
        Path keystore = Files.copy(nodeA, directory.resolve("node.p12"));
        X509ExtendedKeyManager keys = load(keystore).keyManager();
        FileTime writing = FileTime.fromMillis(Files.getLastModifiedTime(keystore).toMillis() + 60_000);

        // a check that lands while the new file is half written (the clock tick of a file's time is coarse)
        byte[] renewed = Files.readAllBytes(nodeB);
        Files.write(keystore, java.util.Arrays.copyOf(renewed, renewed.length / 2));
        Files.setLastModifiedTime(keystore, writing);
        clock.addAndGet(2 * SECOND);
        keys.chooseEngineServerAlias("EC", null, null);
        assertTrue(events.stream().anyMatch(e -> e.contains("did not load")), events.toString());

        // the rest of it, within the same tick
        Files.write(keystore, renewed);
        Files.setLastModifiedTime(keystore, writing);
        clock.addAndGet(2 * SECOND);
        String alias = keys.chooseEngineServerAlias("EC", null, null);
        assertTrue(keys.getCertificateChain(alias)[0].getSubjectX500Principal().getName().contains("CN=node-b"),
            events.toString());
    }

    @Test
    void aKeystoreReplacedUnderANewPasswordIsTakenOnceThePasswordFileFollows() throws Exception {
        // the refusal was pinned to the keystore's time and size alone: once the new password arrived, the new
        // keystore was never read again, and the old certificate served until it expired
        Path keystore = Files.copy(nodeA, directory.resolve("node.p12"));
        X509ExtendedKeyManager keys = load(keystore).keyManager();
        Path password = TestCertificates.passwordFile(directory);
        FileTime later = FileTime.fromMillis(Files.getLastModifiedTime(keystore).toMillis() + 60_000);

        // the renewed keystore lands first, under a new password
        java.security.KeyStore renewed = TestCertificates.load(nodeB);
        char[] was = TestCertificates.PASSWORD.toCharArray();
        char[] now = "renewed-secret".toCharArray();
        String renewedAlias = renewed.aliases().nextElement();
        renewed.setKeyEntry(renewedAlias, renewed.getKey(renewedAlias, was), now,
            renewed.getCertificateChain(renewedAlias));
        try (java.io.OutputStream out = Files.newOutputStream(keystore)) {
            renewed.store(out, now);
        }
        Files.setLastModifiedTime(keystore, later);
        clock.addAndGet(2 * SECOND);
        keys.chooseEngineServerAlias("EC", null, null);
        assertTrue(events.stream().anyMatch(e -> e.contains("did not load")), events.toString());
        int told = events.size();
        clock.addAndGet(2 * SECOND);
        keys.chooseEngineServerAlias("EC", null, null);
        assertEquals(told, events.size(), "the same refusal is told once");

        // then its password
        Files.writeString(password, "renewed-secret\n");
        Files.setLastModifiedTime(password, later);
        clock.addAndGet(2 * SECOND);
        String alias = keys.chooseEngineServerAlias("EC", null, null);
        assertTrue(keys.getCertificateChain(alias)[0].getSubjectX500Principal().getName().contains("CN=node-b"),
            events.toString());
    }

    @Test
    void anUnchangedFileIsNotReadAgainAndAKeyOfAnotherTypeIsNotOffered() throws Exception {
        Path keystore = Files.copy(nodeA, directory.resolve("node.p12"));
        X509ExtendedKeyManager keys = load(keystore).keyManager();
        String alias = keys.chooseEngineServerAlias("EC", null, null);
        clock.addAndGet(2 * SECOND);
        assertArrayEquals(keys.getCertificateChain(alias), keys.getCertificateChain(
            keys.chooseEngineServerAlias("EC", null, null)));
        assertTrue(events.isEmpty(), events.toString());
        assertTrue(keys.chooseEngineServerAlias("RSA", null, null) == null, "an EC key offered for RSA");
    }

    @Test
    void aPasswordFileItsGroupOrOthersMayReadIsRefusedWithTheFix() throws Exception {
        Path keystore = Files.copy(nodeA, directory.resolve("node.p12"));
        Path password = TestCertificates.passwordFile(directory);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r-----"));
        KvException refused = assertThrows(KvException.class, () -> ReloadingTls.load(
            new TlsSettings(keystore, password, null, TlsSettings.ClientAuth.NONE), events::add, clock::get));
        assertEquals(ErrorCode.INVALID_CONFIGURATION, refused.code());
        assertTrue(refused.getMessage().contains("chmod 600 " + password), refused.getMessage());
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        assertNotNull(ReloadingTls.load(new TlsSettings(keystore, password, null, TlsSettings.ClientAuth.NONE),
            events::add, clock::get));
    }

    private ReloadingTls load(Path keystore) throws Exception {
        Path password = TestCertificates.passwordFile(directory);
        return ReloadingTls.load(new TlsSettings(keystore, password, null, TlsSettings.ClientAuth.NONE), events::add,
            clock::get);
    }

    private static void replace(Path keystore, Path with, int secondsLater) throws Exception {
        FileTime modified = FileTime.fromMillis(Files.getLastModifiedTime(keystore).toMillis() + secondsLater * 1000L);
        Files.copy(with, keystore, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(keystore, modified);
    }

    private static boolean signs(PrivateKey key, X509Certificate certificate) throws Exception {
        byte[] message = "handshake".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(message);
        return verifier.verify(signature);
    }

    /** A PKCS#12 keystore with a self-signed EC certificate for {@code name}, under the alias {@code node}. */
    static Path keystore(Path directory, String name, String file) throws Exception {
        return TestCertificates.keystore(directory, "node", name, file, TestCertificates.EC);
    }
}

package io.ringkv.node.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Self-signed certificates for tests, made by the JDK's keytool, and the client side that trusts them. */
public final class TestCertificates {
    /** Every test keystore's password. */
    public static final String PASSWORD = "changeit-test";

    private TestCertificates() {
    }

    /** keytool's options for a P-256 EC key. */
    public static final List<String> EC = List.of("-keyalg", "EC", "-groupname", "secp256r1");
    /** keytool's options for a 2048-bit RSA key. */
    public static final List<String> RSA = List.of("-keyalg", "RSA", "-keysize", "2048");

    /** @return a PKCS#12 keystore in {@code directory} with an EC key and a certificate for CN={@code name}, localhost */
    public static Path keystore(Path directory, String name, String file) throws IOException, InterruptedException {
        return keystore(directory, name, name, file, EC);
    }

    /**
     * @param alias the key entry's alias (a renewed keystore usually keeps its alias)
     * @param algorithm keytool's key options, {@link #EC} or {@link #RSA}
     * @return a PKCS#12 keystore in {@code directory} with a self-signed certificate for CN={@code commonName} and
     *     localhost
     */
    public static Path keystore(Path directory, String alias, String commonName, String file, List<String> algorithm)
        throws IOException, InterruptedException {
        Path keystore = directory.resolve(file);
        List<String> arguments = new java.util.ArrayList<>(List.of("-genkeypair", "-alias", alias));
        arguments.addAll(algorithm);
        arguments.addAll(List.of("-dname", "CN=" + commonName, "-ext", "SAN=dns:localhost,ip:127.0.0.1",
            "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD));
        keytool(arguments);
        return keystore;
    }

    /** @return the PKCS#12 file loaded with {@link #PASSWORD} */
    public static KeyStore load(Path file) throws IOException, java.security.GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    /** @return the certificate of {@code alias} in {@code keystore} as a PEM file (what redis-cli's --cacert reads) */
    public static Path pem(Path keystore, String alias, Path file) throws IOException, InterruptedException {
        keytool(List.of("-exportcert", "-rfc", "-alias", alias, "-keystore", keystore.toString(), "-storepass",
            PASSWORD, "-file", file.toString()));
        return file;
    }

    /** @return the file a node reads the keystore's password from */
    public static Path passwordFile(Path directory) throws IOException {
        Path file = directory.resolve("keystore-password");
        if (!Files.exists(file)) {
            Files.writeString(file, PASSWORD + "\n");
            // a node refuses a password file its group or others can read
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return file;
    }

    /** @return TLS settings of {@code keystore}, no client certificates */
    public static TlsSettings settings(Path directory, Path keystore) throws IOException {
        return new TlsSettings(keystore, passwordFile(directory), null, TlsSettings.ClientAuth.NONE);
    }

    /** @return a TLS 1.3 client context that trusts the certificate in {@code trusted} */
    public static SSLContext clientContext(Path trusted) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(trusted));
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void keytool(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + arguments.getFirst() + " failed: " + output);
        }
    }
}

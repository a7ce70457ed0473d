package io.ringkv.node.security;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A TLS 1.3 server context whose certificate is reloaded without a restart: the key manager looks at the keystore
 * file (its modification time and size) at most once a second, when a handshake asks for the certificate, and takes
 * a changed file when it loads and holds a key; a file that does not load (half-written, wrong password) keeps the
 * previous certificate in use and is reported once per change. Open connections keep the certificate they shook hands
 * with. Thread-safe.
 */
public final class ReloadingTls {
    private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

    private final TlsSettings settings;
    private final SSLContext context;
    private final Keys keys;

    private ReloadingTls(TlsSettings settings, SSLContext context, Keys keys) {
        this.settings = settings;
        this.context = context;
        this.keys = keys;
    }

    /**
     * Loads the keystore (and truststore) now, so a bad file fails the node's start.
     *
     * @param events told of each reload and each reload that failed
     * @throws KvException with {@code INVALID_CONFIGURATION} saying which file and why
     */
    public static ReloadingTls load(TlsSettings settings, Consumer<String> events) {
        return load(settings, events, System::nanoTime);
    }

    static ReloadingTls load(TlsSettings settings, Consumer<String> events, LongSupplier nanoTime) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("TLS is off");
        }
        PrivateFiles.requirePrivate(settings.passwordFile(), "TLS keystore password file");
        Keys keys = new Keys(settings, events, nanoTime);
        try {
            TrustManager[] trust = null;
            if (settings.truststore() != null) {
                TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(keyStore(settings.truststore(), password(settings.passwordFile())));
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new X509ExtendedKeyManager[] {keys}, trust, null);
            return new ReloadingTls(settings, context, keys);
        } catch (GeneralSecurityException | IOException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "cannot load the TLS truststore "
                + settings.truststore() + ": " + e.getMessage(), e);
        }
    }

    /** @return the context every TLS port of the node shakes hands with */
    public SSLContext context() {
        return context;
    }

    /** @return TLS 1.3 only, and the client certificate policy */
    public SSLParameters parameters() {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        parameters.setNeedClientAuth(settings.clientAuth() == TlsSettings.ClientAuth.NEED);
        if (settings.clientAuth() == TlsSettings.ClientAuth.WANT) {
            parameters.setWantClientAuth(true);
        }
        return parameters;
    }

    /** @return the key manager handshakes ask for the certificate (tests drive it by hand) */
    X509ExtendedKeyManager keyManager() {
        return keys;
    }

    /** @return the subject of the certificate handshakes use now */
    public String subject() {
        return keys.current().chain()[0].getSubjectX500Principal().getName();
    }

    private static char[] password(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip().toCharArray();
    }

    private static KeyStore keyStore(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    /**
     * The node's key and chain as loaded once, and what the file looked like then.
     *
     * @param alias the keystore's alias with the load's number: what a handshake names this load by
     */
    private record Loaded(String alias, PrivateKey key, X509Certificate[] chain, Stamp stamp) {
        boolean offers(String keyType) {
            return key.getAlgorithm().equalsIgnoreCase(keyType);
        }
    }

    /**
     * What the keystore and its password file looked like, by modification time and size: a new keystore under a
     * new password is two changes, and the load refused between them is tried again once the second one lands.
     */
    private record Stamp(FileTime keystoreModified, long keystoreSize, FileTime passwordModified, long passwordSize) {
        /** A file that could not be looked at. */
        static final Stamp MISSING = new Stamp(null, -1, null, -1);

        static Stamp of(TlsSettings settings) throws IOException {
            return new Stamp(Files.getLastModifiedTime(settings.keystore()), Files.size(settings.keystore()),
                Files.getLastModifiedTime(settings.passwordFile()), Files.size(settings.passwordFile()));
        }
    }

    /**
     * The load handshakes start with now, and the one before: a handshake names the alias it chose and then asks for
     * its key and its chain in separate calls, so a reload between them must not give it the key of one load and
     * the chain of another (a handshake the client cannot verify).
     */
    private record Served(Loaded current, Loaded previous) {
        Loaded find(String alias) {
            if (current.alias().equals(alias)) {
                return current;
            }
            return previous != null && previous.alias().equals(alias) ? previous : null;
        }
    }

    /** Serves one key entry of the keystore; reloads it when the file changed. */
    private static final class Keys extends X509ExtendedKeyManager {
        private final TlsSettings settings;
        private final Consumer<String> events;
        private final LongSupplier nanoTime;
        /** Held by the one thread checking the file; the others serve what is loaded meanwhile. */
        private final java.util.concurrent.locks.ReentrantLock checking =
            new java.util.concurrent.locks.ReentrantLock();
        /** When the file is looked at next; guarded by {@link #checking}. */
        private long nextCheckNanos;
        private volatile Served served;
        private int loads;
        /** The files as they were when they last failed to load: not read again until one changes. */
        private Stamp refused;

        Keys(TlsSettings settings, Consumer<String> events, LongSupplier nanoTime) {
            this.settings = settings;
            this.events = events;
            this.nanoTime = nanoTime;
            try {
                served = new Served(read(), null);
            } catch (IOException | GeneralSecurityException e) {
                throw new KvException(ErrorCode.INVALID_CONFIGURATION, "cannot load the TLS keystore "
                    + settings.keystore() + ": " + e.getMessage(), e);
            }
            nextCheckNanos = nanoTime.getAsLong() + CHECK_INTERVAL_NANOS;
        }

        Loaded current() {
            return served.current();
        }

        private Loaded read() throws IOException, GeneralSecurityException {
            Path file = settings.keystore();
            Stamp stamp = Stamp.of(settings);
            char[] password = password(settings.passwordFile());
            KeyStore store = keyStore(file, password);
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getKey(alias, password) instanceof PrivateKey key) {
                    java.security.cert.Certificate[] certificates = store.getCertificateChain(alias);
                    if (certificates == null || certificates.length == 0) {
                        continue;
                    }
                    X509Certificate[] chain = new X509Certificate[certificates.length];
                    for (int i = 0; i < chain.length; i++) {
                        chain[i] = (X509Certificate) certificates[i];
                    }
                    return new Loaded(alias + "#" + ++loads, key, chain, stamp);
                }
            }
            throw new GeneralSecurityException("it holds no private key with a certificate chain");
        }

        /**
         * Reloads when the check interval passed and the file changed; keeps the old key when the new fails. One
         * thread checks at a time (the one that moved the next check on); the others serve what is loaded.
         */
        private Loaded fresh() {
            if (!checking.tryLock()) {
                return current();
            }
            try {
                long now = nanoTime.getAsLong();
                if (now - nextCheckNanos < 0) {
                    return current();
                }
                nextCheckNanos = now + CHECK_INTERVAL_NANOS;
                return reloadIfChanged();
            } finally {
                checking.unlock();
            }
        }

        private Loaded reloadIfChanged() {
            Loaded loaded = current();
            Stamp stamp = null;
            try {
                stamp = Stamp.of(settings);
                if (stamp.equals(loaded.stamp()) || stamp.equals(refused)) {
                    return loaded;
                }
                Loaded next = read();
                served = new Served(next, loaded);
                events.accept("TLS certificate reloaded from " + settings.keystore() + ": "
                    + next.chain()[0].getSubjectX500Principal().getName());
                return next;
            } catch (IOException | GeneralSecurityException e) {
                // a file half written is refused as it is now, and read again as soon as its time or size moves
                // a file missing (being replaced, say) is told once too, not at every check
                Stamp seen = stamp == null ? Stamp.MISSING : stamp;
                if (seen.equals(refused)) {
                    return loaded;
                }
                refused = seen;
                events.accept("TLS keystore " + settings.keystore() + " did not load (" + e
                    + "); still serving the previous certificate");
                return loaded;
            }
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            Loaded loaded = fresh();
            return loaded.offers(keyType) ? loaded.alias() : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            Loaded loaded = fresh();
            return loaded.offers(keyType) ? loaded.alias() : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Loaded loaded = served.find(alias);
            return loaded == null ? null : loaded.chain().clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Loaded loaded = served.find(alias);
            return loaded == null ? null : loaded.key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            Loaded loaded = current();
            return loaded.offers(keyType) ? new String[] {loaded.alias()} : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}

package io.ringkv.node.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client's TLS that trusts the certificates of one PEM file (a node's own certificate, or the authority that signed
 * it), as {@code redis-cli --cacert} does: what the operator commands and the load tool use to reach a node whose
 * client port speaks TLS.
 */
public final class TrustedCertificates {
    /** The environment variable naming that file for the operator commands. */
    public static final String CACERT_VARIABLE = "RINGKV_TLS_CACERT";

    private TrustedCertificates() {
    }

    /**
     * @param pem one or more PEM certificates
     * @return a TLS 1.3 context that trusts them and nothing else
     * @throws IOException when the file cannot be read or holds no certificate
     */
    public static SSLContext fromPem(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int count = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("trusted-" + count++, certificate);
            }
            if (count == 0) {
                throw new IOException("no certificate in " + pem);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the certificates in " + pem + ": " + e.getMessage(), e);
        }
    }
}

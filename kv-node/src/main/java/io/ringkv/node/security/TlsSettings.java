package io.ringkv.node.security;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * TLS for a node's client-facing ports: the node's certificate and key in a PKCS#12 keystore (what {@code keytool}
 * and {@code openssl pkcs12 -export} write), its password in a file (never on the command line, where {@code ps}
 * shows it), and whether clients must present certificates signed by a trusted authority.
 *
 * @param keystore the PKCS#12 file with the node's key and certificate chain; null when TLS is off
 * @param passwordFile the keystore's password, the file's first line
 * @param truststore a PKCS#12 file of the authorities whose client certificates are accepted; null to accept none
 *     (then {@code clientAuth} must be {@link ClientAuth#NONE})
 * @param clientAuth whether a client certificate is asked for
 */
public record TlsSettings(Path keystore, Path passwordFile, Path truststore, ClientAuth clientAuth) {
    /** TLS off. */
    public static final TlsSettings OFF = new TlsSettings(null, null, null, ClientAuth.NONE);

    /** Whether clients present certificates. */
    public enum ClientAuth {
        /** Not asked for. */
        NONE,
        /** Asked for; a client without one is still served. */
        WANT,
        /** Required: a client without a trusted certificate fails the handshake. */
        NEED;

        /** @throws KvException with {@code INVALID_CONFIGURATION} for another word */
        public static ClientAuth parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw invalid("tls-client-auth must be none, want or need, was '" + text + "'");
            }
        }
    }

    /** @throws KvException with {@code INVALID_CONFIGURATION} when the settings do not fit together */
    public TlsSettings {
        if (clientAuth == null) {
            clientAuth = ClientAuth.NONE;
        }
        if (keystore == null && (passwordFile != null || truststore != null || clientAuth != ClientAuth.NONE)) {
            throw invalid("--tls-keystore-password-file, --tls-truststore and --tls-client-auth need --tls-keystore");
        }
        if (keystore != null && passwordFile == null) {
            throw invalid("--tls-keystore needs --tls-keystore-password-file (a file holding the keystore's"
                + " password, readable by the node's user only)");
        }
        if (clientAuth != ClientAuth.NONE && truststore == null) {
            throw invalid("--tls-client-auth " + clientAuth.name().toLowerCase(Locale.ROOT) + " needs"
                + " --tls-truststore: the authorities whose client certificates are accepted");
        }
    }

    /** @return true when the ports speak TLS */
    public boolean enabled() {
        return keystore != null;
    }

    private static KvException invalid(String message) {
        return new KvException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}

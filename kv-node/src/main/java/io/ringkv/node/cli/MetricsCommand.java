package io.ringkv.node.cli;

import io.ringkv.node.NodeConfig;
import io.ringkv.node.security.TrustedCertificates;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.net.ssl.HttpsURLConnection;
import picocli.CommandLine;

/**
 * {@code ringkv metrics}: a node's {@code /metrics}, as Prometheus scrapes it, optionally only the samples whose
 * line matches a pattern.
 */
@CommandLine.Command(name = "metrics",
    description = {"Print a node's metrics (its /metrics page, in the Prometheus text format).",
        "Every counter of the node's registry as ringkv_<name>, client request latency histograms by command and"
            + " consistency, and the JVM's own metrics. --grep keeps only the samples (and their HELP and TYPE"
            + " lines) whose line matches a regular expression."})
final class MetricsCommand implements Command {
    private static final int TIMEOUT_MILLIS = 5_000;

    @CommandLine.Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
        description = "the node's host (default: ${DEFAULT-VALUE})")
    String host;

    @CommandLine.Option(names = "--http-port", paramLabel = "P", description = "the node's HTTP port (default:"
        + " ${DEFAULT-VALUE}, a node's default: its client port + 2000)")
    int httpPort = NodeConfig.DEFAULT_HTTP_PORT;

    @CommandLine.Option(names = "--grep", paramLabel = "REGEX", description = "only samples whose line matches,"
        + " e.g. 'request_duration.*command=\"get\"' or '^ringkv_hints' (default: every sample)")
    String grep;

    @Inject
    MetricsCommand() {
    }

    @Override
    public int run(PrintStream out, PrintStream err) {
        Pattern pattern;
        try {
            pattern = grep == null ? null : Pattern.compile(grep);
        } catch (PatternSyntaxException e) {
            throw new UsageException("--grep is not a regular expression: " + e.getDescription());
        }
        Bounds.check("--http-port", httpPort, 1, 65_535);
        String address = host + ":" + httpPort;
        String text;
        try {
            text = fetch(URI.create(scheme() + address + "/metrics"));
        } catch (javax.net.ssl.SSLException e) {
            err.println("ringkv metrics: TLS with the HTTPS endpoint at " + address + " failed (" + e.getMessage()
                + "): does " + TrustedCertificates.CACERT_VARIABLE + " name the node's certificate or its authority,"
                + " and does the certificate name " + host + "?");
            return Launcher.FAILED;
        } catch (IOException | IllegalArgumentException e) {
            err.println("ringkv metrics: cannot reach a ringkv node's HTTP endpoint at " + address + " ("
                + e.getMessage() + "): no node answered; is the node started with --http-port " + httpPort
                + (scheme().startsWith("https") ? "" : ", and if it serves HTTPS, is " + TrustedCertificates.CACERT_VARIABLE
                + " set") + "?");
            return Launcher.FAILED;
        }
        err.println("ringkv metrics: reached the HTTP endpoint at " + address);
        out.print(pattern == null ? text : filter(text, pattern));
        out.flush();
        return Launcher.OK;
    }

    /**
     * @return the samples of {@code text} whose line matches {@code pattern}, each metric family's HELP and TYPE
     *     lines before its first kept sample
     */
    static String filter(String text, Pattern pattern) {
        StringBuilder kept = new StringBuilder();
        StringBuilder header = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP")) {
                header.setLength(0);
                header.append(line).append('\n');
            } else if (line.startsWith("#")) {
                header.append(line).append('\n');
            } else if (pattern.matcher(line).find()) {
                kept.append(header).append(line).append('\n');
                header.setLength(0);
            }
        }
        return kept.toString();
    }

    /** @return https:// when {@value TrustedCertificates#CACERT_VARIABLE} names the certificates to trust */
    private static String scheme() {
        String cacert = System.getenv(TrustedCertificates.CACERT_VARIABLE);
        return cacert == null || cacert.isEmpty() ? "http://" : "https://";
    }

    private static String fetch(URI uri) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (connection instanceof HttpsURLConnection secure) {
            secure.setSSLSocketFactory(TrustedCertificates.fromPem(
                java.nio.file.Path.of(System.getenv(TrustedCertificates.CACERT_VARIABLE))).getSocketFactory());
        }
        connection.setConnectTimeout(TIMEOUT_MILLIS);
        connection.setReadTimeout(TIMEOUT_MILLIS);
        String authorization = AdminClient.basicAuthorization(System.getenv(AdminClient.AUTH_VARIABLE));
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization);
        }
        try {
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP " + status + " " + connection.getResponseMessage());
            }
            try (InputStream in = connection.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            connection.disconnect();
        }
    }
}

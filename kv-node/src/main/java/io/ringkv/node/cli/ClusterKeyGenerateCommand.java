package io.ringkv.node.cli;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import io.ringkv.node.transport.ClusterKey;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import picocli.CommandLine;

/** {@code ringkv cluster-key generate}: makes a new cluster key file, to give every node of a cluster. */
@CommandLine.Command(name = "generate",
    description = {"Make a new cluster key file (one random 256-bit key, base64).",
        "Writes it to --out FILE, readable by its owner only, or prints it. Give every node of the cluster the same"
            + " file with --cluster-key-file. A node signs with the first key of its file and accepts either. To"
            + " rotate without downtime, restarting the nodes one by one after each step: 1. append the new key's"
            + " line to every node's file (old first); 2. swap the two lines (new first); 3. remove the old line."})
final class ClusterKeyGenerateCommand implements Command {

    @CommandLine.Option(names = "--out", paramLabel = "FILE", description = "write the key to FILE, created with"
        + " mode 600 (an existing file is not replaced). (default: print the key, e.g. for"
        + " (umask 077; ringkv cluster-key generate > cluster.key))")
    Path out;

    @Inject
    ClusterKeyGenerateCommand() {
    }

    @Override
    public int run(PrintStream stdout, PrintStream err) {
        String text = ClusterKey.generate(new SecureRandom());
        if (out == null) {
            stdout.print(text);
            stdout.flush();
            return Launcher.OK;
        }
        try {
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(out, text, StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, out + " exists; a new key does not replace it");
        } catch (IOException | UnsupportedOperationException e) {
            throw new KvException(ErrorCode.INVALID_CONFIGURATION, "cannot write " + out + ": " + e.getMessage());
        }
        err.println("cluster key written to " + out + " (mode 600); give every node the same file with"
            + " --cluster-key-file");
        return Launcher.OK;
    }
}

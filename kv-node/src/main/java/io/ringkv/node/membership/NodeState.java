package io.ringkv.node.membership;

import io.ringkv.api.ErrorCode;
import io.ringkv.api.KvException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * What a node remembers about itself across restarts, in {@code node.state} in its data directory: the last
 * generation it gossiped (so the next start takes a greater one even if the clock went back) and the tokens it
 * owns (so a restarted node comes back with the same ranges instead of joining anew). Written to a temporary file,
 * forced to disk, renamed over the old one, and the directory forced. The generation of each start is kept apart,
 * in {@link GenerationFile}, overwritten in place, so that a node restarts on a disk without a free byte; this
 * file is written only when the tokens change.
 *
 * @param generation the generation of the current run
 * @param tokens the tokens owned, empty before the first join completed
 * @param newData true when the data directory never held this node's tokens (no {@code node.state}): a new node,
 *     one whose join never finished, or one whose data directory was lost or replaced. A node that gave its tokens
 *     up (it left, or handed them over) keeps the file, with no tokens
 * @param tokensGeneration the generation of the run that stored the tokens ({@code node.state}), 0 without the file
 */
public record NodeState(long generation, long[] tokens, boolean newData, long tokensGeneration) {
    static final String FILE = "node.state";
    /** The mark of a join under way ({@link #beginJoin}). */
    static final String JOINING_FILE = "joining";

    /** Copies the tokens. */
    public NodeState {
        tokens = tokens.clone();
    }

    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    /**
     * Reads the stored state, takes the next generation (the wall clock in seconds, or one more than the last
     * stored generation when the clock is behind it) and stores it before the node gossips. Needs no free space
     * once the node started once (see {@link GenerationFile}); removes temporary files a failed write left.
     *
     * @throws KvException with {@code STORAGE_FAILURE} when the files cannot be read or written, or are damaged
     */
    public static NodeState startNewGeneration(Path dataDirectory, long wallClockMillis) {
        AtomicFile.removeTemporary(dataDirectory, FILE);
        AtomicFile.removeTemporary(dataDirectory, GenerationFile.FILE);
        NodeState stored = load(dataDirectory);
        long previous = Math.max(stored == null ? 0 : stored.generation(), GenerationFile.read(dataDirectory));
        long generation = Math.max(wallClockMillis / 1000, previous + 1);
        GenerationFile.write(dataDirectory, generation);
        return new NodeState(generation, stored == null ? new long[0] : stored.tokens, stored == null,
            stored == null ? 0 : stored.tokensGeneration());
    }

    /** @return this state owning {@code newTokens}, stored; a join that stored its tokens is no longer under way */
    public NodeState withTokens(long[] newTokens, Path dataDirectory) {
        NodeState updated = new NodeState(generation, newTokens, false, generation);
        updated.store(dataDirectory);
        if (newTokens.length > 0) {
            endJoin(dataDirectory);
        }
        return updated;
    }

    /**
     * Marks, before a node without tokens joins, that a join on this directory is under way: the records it then
     * receives are a join's, copies of what other replicas hold. A start that finds the mark and no tokens drops
     * them (the join did not finish; it may have been removed meanwhile). Without the mark, records and no tokens
     * mean something else (a {@code node.state} lost or restored without it), and are kept.
     *
     * @throws KvException with {@code STORAGE_FAILURE} when it cannot be written
     */
    public static void beginJoin(Path dataDirectory) {
        if (!joinBegun(dataDirectory)) {
            AtomicFile.replace(dataDirectory, JOINING_FILE, "# ringkv: a join on this directory is under way\n");
        }
    }

    /** @return whether {@link #beginJoin} marked a join under way that has not stored its tokens since */
    public static boolean joinBegun(Path dataDirectory) {
        return Files.exists(dataDirectory.resolve(JOINING_FILE));
    }

    /** Removes the mark of a join under way, if any; the node then holds tokens. */
    public static void endJoin(Path dataDirectory) {
        try {
            Files.deleteIfExists(dataDirectory.resolve(JOINING_FILE));
        } catch (IOException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot remove " + dataDirectory.resolve(JOINING_FILE)
                + " (" + e.getMessage() + "): with it and without its tokens, the node would drop its records at its"
                + " next start");
        }
    }

    /**
     * @return true when {@code node.state} in the data directory names tokens: its node is a member of a ring (it
     *     joined and did not leave); true as well when the file is damaged, for the node to say so as it starts
     */
    public static boolean holdsTokens(Path dataDirectory) {
        try {
            NodeState stored = load(dataDirectory);
            return stored != null && stored.tokens.length > 0;
        } catch (KvException e) {
            return true;
        }
    }

    static NodeState load(Path dataDirectory) {
        Path file = dataDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            Properties properties = new Properties();
            properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            long generation = Long.parseLong(properties.getProperty("generation", "").trim());
            String tokenText = properties.getProperty("tokens", "").trim();
            long[] tokens = tokenText.isEmpty() ? new long[0]
                : Arrays.stream(tokenText.split(",")).mapToLong(t -> Long.parseLong(t.trim())).toArray();
            return new NodeState(generation, tokens, false, generation);
        } catch (IOException | NumberFormatException e) {
            throw new KvException(ErrorCode.STORAGE_FAILURE, "cannot read " + file + " (" + e.getMessage()
                + "); it holds the node's generation and tokens. Restore it; without it the node refuses to join"
                + " while the cluster holds its id as a member, until ringkv removenode on another member lets it join"
                + " as a new node");
        }
    }

    private void store(Path dataDirectory) {
        // a node that announced its tokens must find them after a power loss
        AtomicFile.replace(dataDirectory, FILE,
            "# ringkv node state: generation of the current run and the tokens this node owns\n"
            + "generation=" + generation + "\n"
            + "tokens=" + Arrays.stream(tokens).mapToObj(Long::toString).collect(Collectors.joining(",")) + "\n");
    }
}

package io.ringkv.node.http;

import com.sun.net.httpserver.HttpExchange;
import io.ringkv.gossip.NodeStats;
import io.ringkv.node.membership.ClusterSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /api/cluster}: the cluster as this node sees it, in JSON, for the dashboard and for scripts. Every known
 * node with its announced ring state, this node's judgement of its liveness, addresses, failure domain, share of
 * the ring, load, tokens, and the figures it gossips ({@link NodeStats}: request rate, p99 latency, hints pending,
 * repair progress) and its join's or leave's streaming progress. Built from the cluster snapshot only, so safe on
 * the HTTP threads.
 *
 * <pre>{@code {"self":"n0","time":1700000000000,"ringNodes":3,"ready":true,"loading":"","nodes":[{"id":"n0",
 *   "state":"NORMAL","liveness":"ALIVE","display":"NORMAL","address":"127.0.0.1:7400",
 *   "clientAddress":"127.0.0.1:7379","zone":"zone1","rack":"rack1","owns":1.0,"load":"1.50KiB","loadBytes":1536,
 *   "records":12,"disk":"ok","generation":5,"tokens":[-4611686018427387904,...],"streaming":"",
 *   "stats":{"rps":12.5,"p99Micros":2500,"p99OverRange":false,"hintsPending":0,"repairDone":0,"repairTotal":0,
 *   "repairing":false}}]}}</pre>
 * {@code records} and {@code loadBytes} are null before the node announced them, {@code stats} before it announced
 * any, {@code p99Micros} when its last window had no request.
 */
public final class ClusterEndpoint {
    /** The path it answers on. */
    public static final String PATH = "/api/cluster";

    private final Supplier<ClusterSnapshot> cluster;
    private final LongSupplier wallClockMillis;

    /**
     * @param cluster the node's latest view of the cluster (safe from any thread)
     * @param wallClockMillis the time each answer is stamped with
     */
    public ClusterEndpoint(Supplier<ClusterSnapshot> cluster, LongSupplier wallClockMillis) {
        this.cluster = cluster;
        this.wallClockMillis = wallClockMillis;
    }

    /** Adds {@value #PATH} to {@code routes}. */
    public NodeHttpServer.Routes addTo(NodeHttpServer.Routes routes) {
        return routes.add(PATH, this::handle);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals(PATH) && !path.equals(PATH + "/")) {
            NodeHttpServer.send(exchange, 404, "text/plain; charset=utf-8",
                ("no such page: " + path + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        NodeHttpServer.send(exchange, 200, "application/json",
            json(cluster.get(), wallClockMillis.getAsLong()).getBytes(StandardCharsets.UTF_8));
    }

    /** @return {@code view} as the JSON document {@value #PATH} answers, stamped with {@code time} */
    static String json(ClusterSnapshot view, long time) {
        StringBuilder json = new StringBuilder(1024 + view.members().size() * 1024);
        json.append("{\"self\":").append(Json.string(view.self()))
            .append(",\"time\":").append(time)
            .append(",\"ringNodes\":").append(view.ringNodes())
            .append(",\"ready\":").append(view.ready())
            .append(",\"loading\":").append(Json.string(view.loading()))
            .append(",\"nodes\":[");
        String separator = "";
        for (ClusterSnapshot.Member member : view.members()) {
            json.append(separator);
            member(json, member);
            separator = ",";
        }
        return json.append("]}\n").toString();
    }

    private static void member(StringBuilder json, ClusterSnapshot.Member member) {
        json.append("{\"id\":").append(Json.string(member.id()))
            .append(",\"state\":").append(Json.string(member.status()))
            .append(",\"liveness\":").append(Json.string(member.liveness()))
            .append(",\"display\":").append(Json.string(member.state()))
            .append(",\"address\":").append(Json.string(member.address()))
            .append(",\"clientAddress\":").append(Json.string(member.clientAddress()))
            .append(",\"zone\":").append(Json.string(member.zone()))
            .append(",\"rack\":").append(Json.string(member.rack()))
            .append(",\"owns\":").append(String.format(Locale.ROOT, "%.6f", member.owns()))
            .append(",\"load\":").append(Json.string(member.load()))
            .append(",\"loadBytes\":").append(orNull(bytes(member.load())))
            .append(",\"records\":").append(orNull(wholeNumber(member.records())))
            .append(",\"disk\":").append(Json.string(member.disk()))
            .append(",\"generation\":").append(member.generation())
            .append(",\"tokens\":[");
        long[] tokens = member.tokenPositions();
        for (int i = 0; i < tokens.length; i++) {
            json.append(i == 0 ? "" : ",").append(tokens[i]);
        }
        json.append("],\"streaming\":").append(Json.string(member.streaming()))
            .append(",\"stats\":");
        stats(json, member.stats());
        json.append('}');
    }

    private static void stats(StringBuilder json, NodeStats stats) {
        if (stats == null) {
            json.append("null");
            return;
        }
        long p99 = stats.p99Micros();
        json.append("{\"rps\":").append(String.format(Locale.ROOT, "%.1f", stats.requestsPerSecond()))
            .append(",\"p99Micros\":").append(p99 == NodeStats.NO_REQUESTS || p99 == NodeStats.OVER_RANGE ? "null"
                : Long.toString(p99))
            .append(",\"p99OverRange\":").append(p99 == NodeStats.OVER_RANGE)
            .append(",\"hintsPending\":").append(stats.hintsPending())
            .append(",\"repairDone\":").append(stats.repairDone())
            .append(",\"repairTotal\":").append(stats.repairTotal())
            .append(",\"repairing\":").append(stats.repairing())
            .append('}');
    }

    private static String orNull(long value) {
        return value < 0 ? "null" : Long.toString(value);
    }

    /** @return the whole number {@code text} spells, or -1 ({@code ?} before a node announced it) */
    static long wholeNumber(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }

    /**
     * @return about how many bytes a gossiped load ({@code 512B}, {@code 1.50KiB}, {@code 12.3MiB}: three
     *     significant digits) stands for, or -1 when it is not one
     */
    static long bytes(String load) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        for (int unit = units.length - 1; unit >= 0; unit--) {
            if (load.endsWith(units[unit]) && load.length() > units[unit].length()) {
                String number = load.substring(0, load.length() - units[unit].length());
                if (number.length() > 12 || !number.matches("[0-9]+(\\.[0-9]+)?")) {
                    return -1;
                }
                double value = Double.parseDouble(number) * Math.pow(1024, unit);
                return value >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.round(value);
            }
        }
        return -1;
    }
}

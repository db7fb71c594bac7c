package dev.streamq.redis;

import dev.streamq.redis.Shards.Shard;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.impl.RequestImpl;
import io.vertx.redis.client.impl.ZModem;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends each command to the master that serves its keys' slot, on a pooled client per master,
 * and follows MOVED and ASK. Why not the Vert.x cluster client that Quarkus builds for
 * {@code quarkus.redis.client-type=cluster}: every command it sends first connects to every
 * node the slot map lists, replicas included, and fails when one of them does not answer
 * ("Failed to connect to all nodes of the cluster", quarkusio/quarkus#20963): one node down
 * stops every queue of every shard until the map drops it. Here a node down fails only the
 * commands for its own slots.
 *
 * <p>The slot map comes from {@code CLUSTER SLOTS}, asked of a known master or a seed (the
 * configured hosts), every second and at once after a redirect or a failed call, so a
 * promoted replica is found within about a second of its election. Every node client keeps the
 * configured client's settings (password, TLS, pool sizes): only host and port change.
 */
final class ClusterRoute {

    private static final Pattern REDIRECT = Pattern.compile("\\b(MOVED|ASK) (\\d+) (\\S+)");
    /** Redirects followed for one command: a resharding moves a slot once, a failover may add one. */
    private static final int MAX_REDIRECTS = 5;
    private static final long REFRESH_MILLIS = 1_000;
    private static final long MIN_REFRESH_GAP_MILLIS = 100;
    /** How long one node may take to answer CLUSTER SLOTS before the next is asked. */
    private static final long ASK_DEADLINE_MILLIS = 500;

    private final ConfiguredRedisOptions options;
    private final Vertx vertx;
    private final List<String> seeds;
    private final Map<String, Redis> nodes = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile List<Shard> shards = List.of();
    private volatile long refreshedAt;
    private volatile String unanswered;

    ClusterRoute(ConfiguredRedisOptions options, Vertx vertx) {
        this.options = options;
        this.vertx = vertx;
        this.seeds = options.endpoints().stream().map(ClusterRoute::address).toList();
        vertx.setPeriodic(REFRESH_MILLIS, id -> refresh());
    }

    List<Shard> shards() {
        return shards;
    }

    Uni<Response> send(Request request) {
        return send(request, masterFor(slotOf(List.of(request))));
    }

    /** A pipeline, on the master of its keyed requests' slot (keyless ones, such as WAIT, ride along). */
    Uni<List<Response>> batch(List<Request> requests) {
        return batch(requests, masterFor(slotOf(requests)));
    }

    /**
     * Runs {@code body} on one connection to the master serving {@code key}, for a write and
     * the WAIT that must count it; on MOVED or ASK (its first command was refused before it ran)
     * again on the node named, after ASKING for an ASK.
     */
    <T> Uni<T> onConnectionFor(String key, Function<RedisConnection, Uni<T>> body) {
        return followed(masterFor(ZModem.generate(key)), MAX_REDIRECTS, at -> onConnection(at, false, body),
                to -> onConnection(to, true, body));
    }

    private <T> Uni<T> onConnection(String address, boolean asking, Function<RedisConnection, Uni<T>> body) {
        return node(address).connect().chain(connection -> {
            Uni<T> ran = asking ? connection.send(Request.cmd(Command.ASKING)).chain(() -> body.apply(connection))
                    : body.apply(connection);
            return ran.eventually(() -> connection.close().onFailure().recoverWithNull());
        });
    }

    /** The pooled client of one node ("host:port"). */
    Redis node(String address) {
        // a pool name of its own, so each node's pool has its own meters
        return nodes.computeIfAbsent(address, a -> Redis.createClient(vertx, options.standaloneAt(a).setPoolName("node " + a)));
    }

    private Uni<Response> send(Request request, String address) {
        return followed(address, MAX_REDIRECTS, at -> node(at).send(request),
                // ASK: this one command goes to the importing node, announced by ASKING on the same connection
                to -> node(to).batch(List.of(Request.cmd(Command.ASKING), request)).map(replies -> replies.get(1)));
    }

    private Uni<List<Response>> batch(List<Request> requests, String address) {
        return followed(address, MAX_REDIRECTS, at -> node(at).batch(requests), to -> {
            List<Request> asking = new ArrayList<>(requests.size() + 1);
            asking.add(Request.cmd(Command.ASKING));
            asking.addAll(requests);
            return node(to).batch(asking).map(replies -> replies.subList(1, replies.size()));
        });
    }

    /** {@code call} at {@code address}; on MOVED again at the node named, on ASK {@code asking} there. */
    private <T> Uni<T> followed(String address, int redirects, Function<String, Uni<T>> call, Function<String, Uni<T>> asking) {
        return call.apply(address).onFailure().recoverWithUni(failure -> {
            Matcher redirect = REDIRECT.matcher(String.valueOf(failure.getMessage()));
            refreshSoon();
            if (redirects == 0 || !redirect.find()) {
                return Uni.createFrom().failure(failure);
            }
            String to = redirect.group(3);
            return "MOVED".equals(redirect.group(1)) ? followed(to, redirects - 1, call, asking) : asking.apply(to);
        });
    }

    /** The slot of the requests' keys; -1 when none has a key (such a request may go to any master). */
    static int slotOf(List<Request> requests) {
        for (Request request : requests) {
            List<byte[]> keys = ((RequestImpl) request.getDelegate()).keys();
            if (!keys.isEmpty()) {
                return ZModem.generate(keys.get(0));
            }
        }
        return -1;
    }

    /** The master serving {@code slot} as last seen; any master for -1; the first seed before the map is known. */
    private String masterFor(int slot) {
        List<Shard> now = shards;
        if (now.isEmpty()) {
            return seeds.get(0);
        }
        return Shards.owner(now, slot).orElse(now.get(0)).master();
    }

    private void refreshSoon() {
        if (System.currentTimeMillis() - refreshedAt >= MIN_REFRESH_GAP_MILLIS) {
            refresh();
        }
    }

    /** Asks the known masters, then the seeds, in turn for CLUSTER SLOTS; one refresh at a time. */
    Uni<List<Shard>> refreshNow() {
        Set<String> ask = new LinkedHashSet<>();
        shards.forEach(s -> ask.add(s.master()));
        ask.addAll(seeds);
        List<String> order = new ArrayList<>(ask);
        // the node that did not answer last time is asked last
        if (order.remove(unanswered)) {
            order.add(unanswered);
        }
        return ask(order, 0);
    }

    private void refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        refreshNow().subscribe().with(ok -> refreshing.set(false), failure -> refreshing.set(false));
    }

    private Uni<List<Shard>> ask(List<String> addresses, int i) {
        // a deadline of its own: a hung node must not hold the refresh, or a promoted replica is never learned
        return node(addresses.get(i)).send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
                .ifNoItem().after(Duration.ofMillis(ASK_DEADLINE_MILLIS)).fail()
                .map(reply -> {
                    List<Shard> read = Shards.parse(reply);
                    if (!read.isEmpty()) {
                        shards = read;
                    }
                    refreshedAt = System.currentTimeMillis();
                    return shards;
                })
                .onFailure().recoverWithUni(failure -> {
                    unanswered = addresses.get(i);
                    return i + 1 < addresses.size() ? ask(addresses, i + 1) : Uni.createFrom().failure(failure);
                });
    }

    /** "host:port" of a configured endpoint URI (redis://[user:pass@]host:port). */
    static String address(String endpoint) {
        URI uri = URI.create(endpoint);
        return uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort());
    }

    void close() {
        nodes.values().forEach(Redis::close);
    }
}

package dev.streamq.redis;

import dev.streamq.config.StreamqConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The way every streamq command reaches Redis. Normally that is the configured client (the
 * Sentinel-aware one in an HA deployment). But a Sentinel client learns the master only from
 * sentinels: with every sentinel down it cannot reach a master that is up, or one that comes
 * back. {@link MasterWatch} may then {@linkplain #bypassSentinels() bypass} them and send
 * commands straight to the master it last saw, once that node answers ROLE master, and ends
 * the bypass as soon as a sentinel answers again. Durability is the same on both paths:
 * writes still WAIT for their replicas, and a node cut off from its replicas refuses writes.
 *
 * <p>Every call here has a deadline ({@code streamq.redis.command-timeout}, plus the time the
 * server may hold a blocking command): the reactive client has none, so a stopped or
 * black-holed Redis would otherwise hold the call for as long as it is gone. A call past its
 * deadline fails with a {@link TimeoutException}, a transient error callers retry or back off
 * from. Its reply may still arrive later on that connection; the client matches replies to
 * requests in order, so a late reply is dropped, not given to the next call.
 */
@ApplicationScoped
public class RedisRoute {

    private final Redis configured;
    private final ConfiguredRedisOptions options;
    private final Vertx vertx;
    private final Duration commandTimeout;
    private Redis direct;
    private String directAddress;
    private volatile Redis bypass;
    private ClusterRoute cluster;

    RedisRoute(Redis configured, ConfiguredRedisOptions options, Vertx vertx, StreamqConfig config) {
        this.configured = configured;
        this.options = options;
        this.vertx = vertx;
        this.commandTimeout = config.redis().commandTimeout();
    }

    public Uni<Response> send(Request request) {
        return within(sent(request), Duration.ZERO, "a command");
    }

    /** A command the server may hold for up to {@code hold} before it answers (XREADGROUP BLOCK). */
    public Uni<Response> send(Request request, Duration hold) {
        return within(sent(request), hold, "a blocking command");
    }

    private Uni<Response> sent(Request request) {
        return clustered() ? cluster().send(request) : active().send(request);
    }

    /**
     * A pipeline of keyless commands (ROLE, INFO) to the master of one shard: on Cluster that
     * shard's master as last seen; otherwise the one master, as {@link #batch(List)}.
     */
    public Uni<List<Response>> batchOn(Shards.Shard shard, List<Request> requests) {
        if (!clustered()) {
            return batch(requests);
        }
        if (shard.master().isEmpty()) {
            return Uni.createFrom().failure(new RedisUnavailableException(RedisErrorKind.CONNECTION,
                    "the Redis Cluster slot map is not known yet: no configured node answered CLUSTER SLOTS", null));
        }
        return within(clusterNode(shard.master()).batch(requests), Duration.ZERO, "a pipeline to " + shard.master());
    }

    /** The requests in one pipeline on one connection (so a WAIT counts the script's writes). */
    public Uni<List<Response>> batch(List<Request> requests) {
        return batch(requests, Duration.ZERO);
    }

    /** A pipeline with a command the server may hold for up to {@code hold} (WAIT). */
    public Uni<List<Response>> batch(List<Request> requests, Duration hold) {
        return within(clustered() ? cluster().batch(requests) : active().batch(requests), hold,
                "a pipeline of " + requests.size());
    }

    /**
     * Runs {@code body} on one connection of the active client (on Cluster, to the master of
     * {@code key}'s slot) and gives the connection back
     * afterwards, for a write followed by a WAIT that must count that write. The body's round
     * trips share one deadline: a connection, a pipeline and a command held up to {@code hold}.
     * Giving the connection back cannot fail the call: in a failover the client may already
     * have closed it (Vert.x then says "Attempt to recycle more than permitted"), and that must
     * not turn the body's answer (a job written, or "not durable": 503) into a different error.
     */
    public <T> Uni<T> onOneConnection(String key, Duration hold, Function<RedisConnection, Uni<T>> body) {
        Uni<T> ran = clustered() ? cluster().onConnectionFor(key, body)
                : active().connect().chain(connection -> body.apply(connection)
                        .eventually(() -> connection.close().onFailure().recoverWithNull()));
        return within(ran, hold.plus(commandTimeout), "a write and its WAIT");
    }

    private <T> Uni<T> within(Uni<T> call, Duration hold, String what) {
        Duration deadline = hold.plus(commandTimeout);
        return call.ifNoItem().after(deadline).failWith(() -> new TimeoutException(
                "no reply from Redis to " + what + " within " + deadline.toMillis() + " ms"));
    }

    /** True when the master has replicas by design (Sentinel or replication client): see {@link ConfiguredRedisOptions#replicated()}. */
    public boolean replicated() {
        return options.replicated();
    }

    /** True on Redis Cluster: see {@link ConfiguredRedisOptions#clustered()}. */
    public boolean clustered() {
        return options.clustered();
    }

    /** On Cluster, the route by slot (built on first use: the options are known once Quarkus built its client). */
    private synchronized ClusterRoute cluster() {
        if (cluster == null) {
            cluster = new ClusterRoute(options, vertx);
        }
        return cluster;
    }

    /** The slot map as last read; empty when not on Cluster or not read yet. */
    List<Shards.Shard> clusterShards() {
        return clustered() ? cluster().shards() : List.of();
    }

    Uni<List<Shards.Shard>> refreshShards() {
        return cluster().refreshNow();
    }

    /** On Cluster, the client of one node ("host:port"), for what must ask each master itself (ROLE). */
    Redis clusterNode(String address) {
        return cluster().node(address);
    }

    /**
     * One reply per request, in order, for requests on keys of many queues: one pipeline when
     * every key is on one server, else each request on its own, sent at once (a Cluster pipeline
     * must stay on one node, and Redis refuses keys of several slots in one command).
     */
    public Uni<List<Response>> each(List<Request> requests) {
        if (!clustered()) {
            return batch(requests);
        }
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(requests.stream().map(this::send).toList()).andFailFast();
    }

    private Redis active() {
        Redis via = bypass;
        return via != null ? via : configured;
    }

    /** True when the configured client finds the master through sentinels, so a bypass can help. */
    boolean viaSentinels() {
        return options.viaSentinels();
    }

    Redis configured() {
        return configured;
    }

    /** A standalone client at {@code address} ("host:port") with the configured client's settings. */
    synchronized Redis direct(String address) {
        if (!address.equals(directAddress)) {
            Redis old = direct;
            direct = Redis.createClient(vertx, options.standaloneAt(address));
            directAddress = address;
            if (old != null) {
                old.close();
            }
        }
        return direct;
    }

    /** From now on commands go to the node last given to {@link #direct(String)}. */
    synchronized void bypassSentinels() {
        bypass = direct;
    }

    void useConfigured() {
        bypass = null;
    }

    boolean bypassing() {
        return bypass != null;
    }

    @PreDestroy
    synchronized void close() {
        if (direct != null) {
            direct.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}

package dev.streamq.redis;

import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.RedisMetrics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Watches which server the client treats as master, once a second: ROLE and CLIENT INFO
 * (whose laddr is the server's own address) on one connection. It turns what it sees into
 * the operator's view of a failover: redis_master_lost, redis_failover (the new address),
 * redis_master_restored with the time spent without a master, and the matching metrics.
 * When no sentinel answers, it decides whether {@link RedisRoute} may bypass them. On Redis
 * Cluster it asks each shard's master instead, and "the master" means every shard's.
 */
@ApplicationScoped
public class MasterWatch {

    private static final Logger LOG = Logger.getLogger(MasterWatch.class);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    /** The address when CLIENT INFO has no laddr (Redis before 6.2): good for logs, not to connect to. */
    private static final String UNKNOWN = "unknown";

    private final RedisRoute route;
    private final RedisMetrics metrics;
    private final Vertx vertx;
    private final Shards shards;
    /**
     * On Cluster, each shard's master as last seen, by the shard's slot ranges: the same ranges
     * under another master is a failover; other ranges are a resharding, not reported as one.
     */
    private Map<String, String> shardMasters = new HashMap<>();
    private String masterAddress;
    private long lostAt;
    /** Since when every check found the client on a server that is not a master (0: it is on a master). */
    private volatile long onReplicaSince;

    MasterWatch(RedisRoute route, RedisMetrics metrics, Vertx vertx, Shards shards) {
        this.route = route;
        this.metrics = metrics;
        this.vertx = vertx;
        this.shards = shards;
    }

    void onStart(@Observes StartupEvent event) {
        vertx.setTimer(1, id -> check());
    }

    /** Always through the configured client first: a sentinel that answers again ends a bypass. */
    private void check() {
        if (route.clustered()) {
            checkShards();
            return;
        }
        probe(route.configured()).subscribe().with(replies -> {
            if (endBypass()) {
                EventLog.of(Event.REDIS_SENTINELS_BACK).log(LOG,
                        "a sentinel answers again: commands go through the sentinels");
            }
            observed(replies);
        }, failure -> {
            if (route.viaSentinels() && masterAddress != null && !UNKNOWN.equals(masterAddress)
                    && noSentinelAnswers(failure)) {
                bypassTo(masterAddress, failure);
            } else {
                endBypass();
                unreachable(failure);
            }
        });
    }

    /**
     * No sentinel answers, so the Sentinel client cannot name a master even if one is up: ask
     * the master last seen directly, and send commands there only while it answers ROLE master.
     */
    private void bypassTo(String address, Throwable sentinelFailure) {
        probe(route.direct(address)).subscribe().with(replies -> {
            if (!"master".equals(replies.get(0).get(0).toString())) {
                endBypass();
                unreachable(sentinelFailure);
                return;
            }
            if (!route.bypassing()) {
                route.bypassSentinels();
                metrics.sentinelsBypassed(true);
                EventLog.of(Event.REDIS_SENTINELS_BYPASSED).log(LOG,
                        "no sentinel answers: commands go straight to " + address + ", the last master seen, while it answers ROLE master");
            }
            observed(replies);
        }, failure -> {
            endBypass();
            unreachable(sentinelFailure);
        });
    }

    /**
     * On Cluster: ROLE of every shard's master as last seen, each on its own node. A shard whose
     * master does not answer as master is lost (the master is up again once every shard has
     * one); a shard whose master changed address had a failover.
     */
    private void checkShards() {
        List<Shards.Shard> all = shards.all();
        Uni.join().all(all.stream().map(shard -> route.batchOn(shard, probeRequests()).ifNoItem().after(INTERVAL).fail()
                        .map(replies -> replies.get(0).get(0).toString())
                        .onFailure().recoverWithItem(failure -> "unreachable (" + failure.getMessage() + ")")).toList())
                .andFailFast()
                .subscribe().with(roles -> {
                    List<String> down = new ArrayList<>();
                    Map<String, String> seen = new HashMap<>();
                    for (int i = 0; i < all.size(); i++) {
                        Shards.Shard shard = all.get(i);
                        if (!"master".equals(roles.get(i))) {
                            down.add("slots " + shard.slots() + " at " + shard.master() + ": " + roles.get(i));
                            // keep the master it had: when a replica takes over, that is the failover to report
                            String before = shardMasters.get(shard.slots());
                            if (before != null) {
                                seen.put(shard.slots(), before);
                            }
                            continue;
                        }
                        seen.put(shard.slots(), shard.master());
                        String before = shardMasters.get(shard.slots());
                        if (before != null && !before.equals(shard.master())) {
                            metrics.failover();
                            EventLog.of(Event.REDIS_FAILOVER).log(LOG, "Redis master of slots " + shard.slots()
                                    + " moved from " + before + " to " + shard.master());
                        }
                    }
                    shardMasters = seen;
                    if (down.isEmpty()) {
                        restored("of every shard");
                    } else {
                        lost("no writable master for " + String.join("; ", down), null);
                    }
                    next();
                }, failure -> next());
    }

    /** Commands go through the configured client again; true when a bypass was running. */
    private boolean endBypass() {
        if (!route.bypassing()) {
            return false;
        }
        route.useConfigured();
        metrics.sentinelsBypassed(false);
        return true;
    }

    /** ROLE, and CLIENT INFO whose laddr is the server's own address. */
    private static List<Request> probeRequests() {
        return List.of(Request.cmd(Command.ROLE), Request.cmd(Command.CLIENT).arg("INFO"));
    }

    private static Uni<List<Response>> probe(Redis client) {
        return client.batch(probeRequests()).ifNoItem().after(INTERVAL).fail();
    }

    /** What the Vert.x Sentinel client says when it cannot get the topology from any sentinel. */
    static boolean noSentinelAnswers(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).startsWith("Cannot connect to any of the provided endpoints")) {
                return true;
            }
        }
        return false;
    }

    private void observed(List<Response> replies) {
        String role = replies.get(0).get(0).toString();
        if (!"master".equals(role)) {
            if (onReplicaSince == 0) {
                onReplicaSince = System.currentTimeMillis();
            }
            lost("the client's server answers ROLE " + role, null);
        } else {
            onReplicaSince = 0;
            String address = localAddress(replies.get(1).toString());
            restored(address);
            if (masterAddress != null && !masterAddress.equals(address)) {
                metrics.failover();
                EventLog.of(Event.REDIS_FAILOVER).log(LOG,
                        "Redis master moved from " + masterAddress + " to " + address);
            }
            masterAddress = address;
        }
        next();
    }

    private void restored(String master) {
        if (lostAt != 0) {
            double seconds = (System.currentTimeMillis() - lostAt) / 1000.0;
            metrics.unavailableFor(seconds);
            EventLog.of(Event.REDIS_MASTER_RESTORED).log(LOG,
                    String.format("Redis master %s reachable again after %.3f s", master, seconds));
            lostAt = 0;
        }
        metrics.masterUp(true);
    }

    /**
     * How long the client has been talking to a replica without interruption. A failover
     * completes in seconds; a client still on a replica long after that holds stale
     * connections it will not drop (the READONLY loop peers report), which a restart cures.
     */
    public Duration onReplicaFor() {
        long since = onReplicaSince;
        return since == 0 ? Duration.ZERO : Duration.ofMillis(System.currentTimeMillis() - since);
    }

    private void unreachable(Throwable failure) {
        onReplicaSince = 0;
        metrics.error(RedisErrorKind.of(failure).label());
        lost("no Redis master reachable: " + failure.getMessage(), failure);
        next();
    }

    private void lost(String why, Throwable failure) {
        metrics.masterUp(false);
        if (lostAt == 0) {
            lostAt = System.currentTimeMillis();
            EventLog.of(Event.REDIS_MASTER_LOST)
                    .kind(failure == null ? RedisErrorKind.READONLY.label() : RedisErrorKind.of(failure).label())
                    .error(failure == null ? null : failure.getMessage())
                    .log(LOG, why);
        }
    }

    private void next() {
        vertx.setTimer(INTERVAL.toMillis(), id -> check());
    }

    /** The laddr= field of CLIENT INFO: the address of the server end of this connection. */
    static String localAddress(String clientInfo) {
        for (String field : clientInfo.trim().split(" ")) {
            if (field.startsWith("laddr=")) {
                return field.substring("laddr=".length());
            }
        }
        return UNKNOWN;
    }

}

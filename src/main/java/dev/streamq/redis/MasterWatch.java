package dev.streamq.redis;

import dev.streamq.log.EventLog;
import dev.streamq.metrics.RedisMetrics;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Watches which server the client treats as master, once a second: ROLE and CLIENT INFO
 * (whose laddr is the server's own address) on one connection. It turns what it sees into
 * the operator's view of a failover: redis_master_lost, redis_failover (the new address),
 * redis_master_restored with the time spent without a master, and the matching metrics.
 */
@ApplicationScoped
public class MasterWatch {

    private static final Logger LOG = Logger.getLogger(MasterWatch.class);
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Redis redis;
    private final RedisMetrics metrics;
    private final Vertx vertx;
    private String masterAddress;
    private long lostAt;
    /** Since when every check found the client on a server that is not a master (0: it is on a master). */
    private volatile long onReplicaSince;

    MasterWatch(Redis redis, RedisMetrics metrics, Vertx vertx) {
        this.redis = redis;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        vertx.setTimer(1, id -> check());
    }

    private void check() {
        redis.batch(List.of(Request.cmd(Command.ROLE), Request.cmd(Command.CLIENT).arg("INFO")))
                .ifNoItem().after(INTERVAL).fail()
                .subscribe().with(this::observed, this::unreachable);
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
            if (lostAt != 0) {
                double seconds = (System.currentTimeMillis() - lostAt) / 1000.0;
                metrics.unavailableFor(seconds);
                EventLog.info(LOG, "redis_master_restored", null, null, 0,
                        String.format("Redis master %s reachable again after %.3f s", address, seconds));
                lostAt = 0;
            }
            metrics.masterUp(true);
            if (masterAddress != null && !masterAddress.equals(address)) {
                metrics.failover();
                EventLog.warn(LOG, "redis_failover", null, null, 0, null,
                        "Redis master moved from " + masterAddress + " to " + address);
            }
            masterAddress = address;
        }
        next();
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
        metrics.error(RedisErrorKind.of(failure));
        lost("no Redis master reachable: " + failure.getMessage(), failure);
        next();
    }

    private void lost(String why, Throwable failure) {
        metrics.masterUp(false);
        if (lostAt == 0) {
            lostAt = System.currentTimeMillis();
            EventLog.warn(LOG, "redis_master_lost", null, null, 0,
                    failure == null ? "readonly" : RedisErrorKind.of(failure).label(), why);
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
        return "unknown";
    }

}

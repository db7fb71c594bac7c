package dev.streamq.redis;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The replicas Sentinel could promote right now, as the sentinels see them, refreshed every
 * second: what a write must reach besides the replicas the master lists. The master forgets a
 * replica whose link broke, but Sentinel may still promote it, with what it had when the link
 * broke, until that link has been down for 10 × down-after-milliseconds (the rule of
 * {@code sentinelSelectSlave} in redis/redis {@code src/sentinel.c}). The same rule skips a
 * replica that is down or disconnected to Sentinel or has priority 0; so does this view. It
 * also skips a node that reports itself a master (an old master restarted before Sentinel
 * converts it): it replicates nothing, and counting it would refuse every write until the
 * conversion.
 *
 * <p>With no sentinel answering for {@link #STALE_AFTER} the view is empty: without sentinels
 * no replica can be promoted.
 */
@ApplicationScoped
public class PromotableReplicas {

    private static final Logger LOG = Logger.getLogger(PromotableReplicas.class);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration STALE_AFTER = Duration.ofSeconds(3);
    /** Sentinel's fixed factor: a replica whose link is down longer than this × down-after is not promoted. */
    private static final long LINK_DOWN_FACTOR = 10;

    private final ConfiguredRedisOptions options;
    private final Vertx vertx;
    private Redis sentinels;
    private volatile Set<String> addresses = Set.of();
    private volatile long refreshedAt;

    PromotableReplicas(ConfiguredRedisOptions options, Vertx vertx) {
        this.options = options;
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        if (options.viaSentinels()) {
            sentinels = Redis.createClient(vertx, options.sentinels());
            vertx.setPeriodic(1, INTERVAL.toMillis(), id -> refresh());
        }
    }

    /** "ip:port" of every replica Sentinel could promote; empty when not behind Sentinel or no sentinel answers. */
    public Set<String> addresses() {
        return System.currentTimeMillis() - refreshedAt > STALE_AFTER.toMillis() ? Set.of() : addresses;
    }

    private void refresh() {
        String name = options.masterName();
        sentinels.batch(List.of(Request.cmd(Command.SENTINEL).arg("MASTER").arg(name),
                        Request.cmd(Command.SENTINEL).arg("REPLICAS").arg(name)))
                .ifNoItem().after(INTERVAL).fail()
                .subscribe().with(replies -> {
                    Set<String> now = promotable(field(replies.get(0), "down-after-milliseconds"), replies.get(1));
                    if (!now.equals(addresses)) {
                        LOG.debugf("replicas Sentinel could promote: %s", now);
                    }
                    addresses = Set.copyOf(now);
                    refreshedAt = System.currentTimeMillis();
                }, failure -> LOG.debugf("no sentinel answered SENTINEL REPLICAS: %s", failure.getMessage()));
    }

    static Set<String> promotable(String downAfterMillis, Response replicas) {
        long maxLinkDown = LINK_DOWN_FACTOR * millis(downAfterMillis);
        Set<String> out = new HashSet<>();
        for (Response replica : replicas) {
            String flags = field(replica, "flags");
            boolean unusable = flags.contains("s_down") || flags.contains("o_down") || flags.contains("disconnected");
            if (unusable || "0".equals(field(replica, "slave-priority")) || "master".equals(field(replica, "role-reported"))
                    || millis(field(replica, "master-link-down-time")) > maxLinkDown) {
                continue;
            }
            out.add(field(replica, "ip") + ":" + field(replica, "port"));
        }
        return out;
    }

    private static long millis(String text) {
        return text.isEmpty() ? 0 : Long.parseLong(text);
    }

    /** A field of a SENTINEL MASTER/REPLICAS entry: a flat array in RESP2, a map in RESP3; "" when absent. */
    private static String field(Response entry, String name) {
        Response value = entry.get(name);
        return value == null ? "" : value.toString();
    }

    @PreDestroy
    void close() {
        if (sentinels != null) {
            sentinels.close();
        }
    }
}

package dev.streamq.redis;

import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Warns at startup when the Redis streamq writes to runs without AOF: the durability contract
 * (docs/design.md) counts on {@code appendonly yes}, so that a restart of that one process loses
 * at most the last second of acknowledged jobs, not everything since the last snapshot. A
 * warning, not a refusal: a lab or a cache-like deployment may choose it, and replicas with WAIT
 * still cover a crash. Unreachable at startup: nothing is said (readiness reports it).
 */
@ApplicationScoped
public class PersistenceCheck {

    private static final Logger LOG = Logger.getLogger(PersistenceCheck.class);

    private final RedisRoute route;

    PersistenceCheck(RedisRoute route) {
        this.route = route;
    }

    void onStart(@Observes StartupEvent event) {
        route.send(Request.cmd(Command.INFO).arg("persistence")).subscribe().with(info -> {
            if (info.toString().contains("aof_enabled:0")) {
                EventLog.of(Event.REDIS_AOF_OFF).log(LOG,
                        "Redis runs without AOF (appendonly no): a restart of it loses every job acknowledged since its last "
                                + "snapshot; set appendonly yes (appendfsync everysec), as docs/design.md assumes");
            }
        }, failure -> LOG.debugf("could not read INFO persistence at startup: %s", failure.getMessage()));
    }
}

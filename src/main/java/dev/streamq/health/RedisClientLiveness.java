package dev.streamq.health;

import dev.streamq.config.StreamqConfig;
import dev.streamq.redis.MasterWatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live unless the Redis client has been stuck on a replica far longer than any failover
 * takes. An unreachable Redis does not fail liveness (restarting would not help); a client
 * that keeps writing to a demoted master does, because only new connections cure it.
 */
@Liveness
@ApplicationScoped
public class RedisClientLiveness implements HealthCheck {

    private final MasterWatch watch;
    private final Duration limit;

    RedisClientLiveness(MasterWatch watch, StreamqConfig config) {
        this.watch = watch;
        this.limit = config.redis().staleMasterLimit();
    }

    @Override
    public HealthCheckResponse call() {
        Duration onReplica = watch.onReplicaFor();
        return HealthCheckResponse.named("redis-client")
                .status(onReplica.compareTo(limit) < 0)
                .withData("onReplicaSeconds", onReplica.toSeconds())
                .build();
    }
}

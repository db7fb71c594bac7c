package dev.streamq.health;

import dev.streamq.queue.Broker;
import dev.streamq.redis.CredentialsCheck;
import dev.streamq.redis.RedisErrorKind;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the server the client writes to answers ROLE with "master" and has memory
 * for writes. PING (what the stock Redis check sends) also succeeds on a demoted master, which
 * would keep a pod ready while every write fails with READONLY; ROLE alone keeps it ready while
 * every write fails with OOM under noeviction.
 */
@Readiness
@ApplicationScoped
public class RedisMasterCheck implements AsyncHealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final Broker broker;

    RedisMasterCheck(Broker broker) {
        this.broker = broker;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return broker.serverState()
                .ifNoItem().after(TIMEOUT).fail()
                .map(state -> HealthCheckResponse.named("redis-master")
                        .status("master".equals(state.role()) && !state.memoryFull())
                        .withData("role", state.role())
                        .withData("memory", state.memoryFull() ? "full" : "ok")
                        .build())
                .onFailure().recoverWithItem(failure -> {
                    var down = HealthCheckResponse.named("redis-master").down().withData("error", String.valueOf(failure.getMessage()));
                    if (RedisErrorKind.of(failure) == RedisErrorKind.AUTH) {
                        down.withData("fix", "set " + CredentialsCheck.SETTING);
                    }
                    return down.build();
                });
    }
}

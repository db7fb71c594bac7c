package dev.streamq.health;

import dev.streamq.queue.Broker;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the server the client writes to answers ROLE with "master". PING (what
 * the stock Redis check sends) also succeeds on a demoted master, which would keep a pod
 * ready while every write fails with READONLY.
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
        return broker.role()
                .ifNoItem().after(TIMEOUT).fail()
                .map(role -> HealthCheckResponse.named("redis-master").status("master".equals(role)).withData("role", role).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named("redis-master").down()
                        .withData("error", String.valueOf(failure.getMessage())).build());
    }
}

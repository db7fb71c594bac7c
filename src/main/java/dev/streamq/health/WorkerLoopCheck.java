package dev.streamq.health;

import dev.streamq.config.StreamqConfig;
import dev.streamq.worker.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Live and ready while no fetch loop is wedged: a read outstanding far past the poll and
 * client timeouts means a connection that will never answer (the "worker runs but
 * processes nothing" failure peers report after failovers), which only a restart cures.
 * A Redis outage does not fail this check: the loop keeps retrying with backoff.
 */
@Liveness
@Readiness
@ApplicationScoped
public class WorkerLoopCheck implements HealthCheck {

    private final Workers workers;
    private final StreamqConfig config;
    private final Duration stuckAfter;

    WorkerLoopCheck(Workers workers, StreamqConfig config) {
        this.workers = workers;
        this.config = config;
        this.stuckAfter = config.worker().pollTimeout().multipliedBy(2).plus(Duration.ofSeconds(30));
    }

    @Override
    public HealthCheckResponse call() {
        if (!config.role().runsWorkers()) {
            return HealthCheckResponse.named("worker-loop").up().withData("role", config.role().name()).build();
        }
        return HealthCheckResponse.named("worker-loop")
                .status(workers.runs() && workers.healthy(stuckAfter))
                .withData("inFlight", workers.inFlightCount())
                .build();
    }
}

package dev.streamq.worker.builtin;

import dev.streamq.worker.JobContext;
import dev.streamq.worker.JobFailedException;
import dev.streamq.worker.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Fails the first payload.failures attempts (default: every attempt), then succeeds: exercises retries and dead letters. */
@ApplicationScoped
public class FailHandler implements JobHandler {

    @Override
    public String type() {
        return "fail";
    }

    @Override
    public Uni<?> handle(JobContext job) {
        int failures = job.payload().path("failures").asInt(Integer.MAX_VALUE);
        if (job.attempt() <= failures) {
            return Uni.createFrom().failure(new JobFailedException("planned failure " + job.attempt() + " of " + failures));
        }
        return Uni.createFrom().item(Map.of("succeeded_on_attempt", job.attempt()));
    }
}

package dev.streamq.worker.builtin;

import dev.streamq.worker.JobContext;
import dev.streamq.worker.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;

/** Waits payload.ms milliseconds without holding a thread: a stand-in for a slow remote call (long jobs, shutdown drills). */
@ApplicationScoped
public class SleepHandler implements JobHandler {

    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public Uni<?> handle(JobContext job) {
        long ms = Math.max(0, job.payload().path("ms").asLong(100));
        return Uni.createFrom().item(Map.of("slept_ms", ms)).onItem().delayIt().by(Duration.ofMillis(ms));
    }
}

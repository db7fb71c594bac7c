package dev.streamq.worker.builtin;

import dev.streamq.worker.JobContext;
import dev.streamq.worker.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Does nothing: measures the queue's own cost in benchmarks and drills. */
@ApplicationScoped
public class NoopHandler implements JobHandler {

    @Override
    public String type() {
        return "noop";
    }

    @Override
    public Uni<?> handle(JobContext job) {
        return Uni.createFrom().nullItem();
    }
}

package dev.streamq.core;

import dev.streamq.worker.JobContext;
import dev.streamq.worker.JobFailedException;
import dev.streamq.worker.JobHandler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A test handler (job type "recorded-failure") that notes when each attempt starts, then fails it. */
@ApplicationScoped
public class AttemptRecorder implements JobHandler {

    static final Map<String, List<Long>> STARTS = new ConcurrentHashMap<>();

    @Override
    public String type() {
        return "recorded-failure";
    }

    @Override
    public Uni<?> handle(JobContext job) {
        STARTS.computeIfAbsent(job.id(), id -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
        return Uni.createFrom().failure(new JobFailedException("recorded failure " + job.attempt()));
    }
}

package dev.streamq.core;

import dev.streamq.worker.BlockingJobHandler;
import dev.streamq.worker.JobContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A test handler (job type "spin-until-interrupted") that spins a CPU until its thread is interrupted, and notes that it was. */
@ApplicationScoped
public class SpinUntilInterrupted implements BlockingJobHandler {

    static final Set<String> INTERRUPTED = ConcurrentHashMap.newKeySet();

    @Override
    public String type() {
        return "spin-until-interrupted";
    }

    @Override
    public Object handleBlocking(JobContext job) {
        while (!Thread.currentThread().isInterrupted()) {
            Thread.onSpinWait();
        }
        INTERRUPTED.add(job.id());
        return null;
    }
}

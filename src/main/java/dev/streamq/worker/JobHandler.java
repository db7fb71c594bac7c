package dev.streamq.worker;

import io.smallrye.mutiny.Uni;

/**
 * Runs the jobs of one type. Implementations are CDI beans; the worker finds them by
 * {@link #type()}. The returned Uni must not block the event loop: a handler that blocks
 * implements {@link BlockingJobHandler} instead. A failure (or an exception) is a failed
 * attempt: the job is retried with backoff until it runs out of attempts.
 */
public interface JobHandler {

    String type();

    /** @return a Uni of the job's result (serialized as JSON; null for none) */
    Uni<?> handle(JobContext job);
}

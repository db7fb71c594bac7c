package dev.streamq.worker;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** A handler that blocks (I/O with a blocking client, CPU work): it runs on the worker thread pool, off the event loop. */
public interface BlockingJobHandler extends JobHandler {

    Object handleBlocking(JobContext job) throws Exception;

    @Override
    default Uni<?> handle(JobContext job) {
        return Uni.createFrom().item(() -> {
            try {
                return handleBlocking(job);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new JobFailedException(e.getMessage(), e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}

package dev.streamq.worker;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A handler that blocks (I/O with a blocking client, CPU work): it runs on a handler thread,
 * off the event loop. When the job times out its thread is interrupted: a handler should let
 * {@link InterruptedException} (or {@link Thread#isInterrupted()}) end it. One that does not
 * keeps running on its own daemon thread, which does not hold shutdown.
 */
public interface BlockingJobHandler extends JobHandler {

    Object handleBlocking(JobContext job) throws Exception;

    @Override
    default Uni<?> handle(JobContext job) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Future<?>> running = new AtomicReference<>();
            // a timed-out job is cancelled: interrupt its thread (a no-op once it has finished)
            emitter.onTermination(() -> {
                Future<?> handler = running.get();
                if (handler != null) {
                    handler.cancel(true);
                }
            });
            running.set(HandlerThreads.executor().submit(job.trace().wrap(() -> {
                try {
                    emitter.complete(handleBlocking(job));
                } catch (RuntimeException e) {
                    emitter.fail(e);
                } catch (Exception e) {
                    emitter.fail(new JobFailedException(e.getMessage(), e));
                }
            })));
        });
    }
}

package dev.streamq.worker;

import io.opentelemetry.context.Context;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads blocking handlers run on: daemon threads of their own, not Quarkus' worker pool.
 * A handler that overran its job timeout is interrupted; one that ignores interrupts (a spin,
 * a blocking call that cannot be interrupted) keeps its thread, but a daemon thread does not
 * hold the JVM at exit, so shutdown finishes within its grace period. In Quarkus' pool the same
 * thread held shutdown until SIGKILL.
 */
final class HandlerThreads {

    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService THREADS = Context.taskWrapping(Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "streamq-handler-" + COUNT.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }));

    private HandlerThreads() {
    }

    static ExecutorService executor() {
        return THREADS;
    }
}

package dev.streamq.lab.bench;

import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A bench queue's backlog: filled in batches while no worker runs, then watched until it drains. */
final class Backlog {

    private static final Map<String, Object> NOOP = JobsClient.job("noop", Map.of(), null, null);

    private final JobsClient api;
    private final PrintStream out;

    Backlog(JobsClient api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    /** {@code size} noop jobs, the body of one batch submit. */
    static List<Map<String, Object>> noops(int size) {
        return Collections.nCopies(size, NOOP);
    }

    /** Submits {@code count} noop jobs to {@code queue} in batches of 100, 8 at a time. */
    void fill(String queue, int count) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicLong failed = new AtomicLong();
        for (int offset = 0; offset < count; offset += 100) {
            List<Map<String, Object>> batch = noops(Math.min(100, count - offset));
            pool.submit(() -> {
                if (!submitted(queue, batch)) {
                    failed.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        if (failed.get() > 0) {
            out.println("bench: " + failed.get() + " fill batches failed");
        }
    }

    private boolean submitted(String queue, List<Map<String, Object>> batch) {
        try {
            return api.submitBatch(queue, batch).ok();
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** lag (not yet delivered) + pending + delayed of one queue; Long.MAX_VALUE while the API does not say. */
    long size(String queue) {
        try {
            JobsClient.Reply reply = api.queue(queue);
            if (reply.status() != 200) {
                return Long.MAX_VALUE;
            }
            Map<String, Object> stats = reply.body();
            long lag = number(stats, "lag", -1);
            return (lag >= 0 ? lag : number(stats, "ready", 0)) + number(stats, "pending", 0) + number(stats, "delayed", 0);
        } catch (UncheckedIOException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long number(Map<String, Object> stats, String key, long absent) {
        return stats.get(key) instanceof Number n ? n.longValue() : absent;
    }

    /** Waits (bounded) until the queue has no backlog; says so when it does not drain in time. */
    void awaitDrained(String queue, Duration timeout) {
        if (!Await.holds(timeout, Duration.ofMillis(250), () -> size(queue) == 0)) {
            out.println("bench: " + queue + " not drained after " + timeout.toSeconds() + " s");
        }
    }
}

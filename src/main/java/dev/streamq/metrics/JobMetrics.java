package dev.streamq.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Counters and histograms of what happens to jobs; queue and type are the only labels (both bounded). */
@ApplicationScoped
public class JobMetrics {

    private final MeterRegistry registry;

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void enqueued(String queue, int count) {
        registry.counter("streamq.jobs.enqueued", "queue", queue).increment(count);
    }

    public void succeeded(String queue, String type, Duration handler, Duration endToEnd) {
        registry.counter("streamq.jobs.completed", "queue", queue, "outcome", "succeeded").increment();
        handlerTimer(queue, type).record(handler);
        Timer.builder("streamq.job.latency")
                .description("Time from submission to successful completion")
                .tag("queue", queue)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry)
                .record(endToEnd);
    }

    public void failed(String queue, String type, Duration handler) {
        registry.counter("streamq.jobs.completed", "queue", queue, "outcome", "failed").increment();
        handlerTimer(queue, type).record(handler);
    }

    public void retried(String queue) {
        registry.counter("streamq.jobs.retried", "queue", queue).increment();
    }

    public void deadLettered(String queue, String reason) {
        registry.counter("streamq.jobs.dead.lettered", "queue", queue, "reason", reason).increment();
    }

    public void reclaimed(String queue, int count) {
        registry.counter("streamq.jobs.reclaimed", "queue", queue).increment(count);
    }

    public void duplicate(String queue) {
        registry.counter("streamq.jobs.duplicates", "queue", queue).increment();
    }

    public void redriven(String queue, long count) {
        registry.counter("streamq.jobs.redriven", "queue", queue).increment(count);
    }

    private Timer handlerTimer(String queue, String type) {
        return Timer.builder("streamq.job.handler.duration")
                .description("Time a handler ran, per attempt")
                .tags("queue", queue, "type", type)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

}

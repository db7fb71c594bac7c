package dev.streamq.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Counters and histograms of what happens to jobs; queue, type, outcome and reason are the
 * only labels (all bounded). Meters are looked up once per label set and kept: these calls
 * sit on the per-job hot path.
 */
@ApplicationScoped
public class JobMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    /** Per queue, when one of its meters last counted (epoch ms). */
    private final Map<String, Long> lastCounted = new ConcurrentHashMap<>();

    JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void enqueued(String queue, int count) {
        counter("streamq.jobs.enqueued", "queue", queue).increment(count);
    }

    public void succeeded(String queue, String type, Duration handler, Duration endToEnd) {
        counter("streamq.jobs.completed", "queue", queue, "outcome", "succeeded").increment();
        handlerTimer(queue, type).record(handler);
        timer("streamq.job.latency", "Time from submission to successful completion", "queue", queue).record(endToEnd);
    }

    public void failed(String queue, String type, Duration handler) {
        counter("streamq.jobs.completed", "queue", queue, "outcome", "failed").increment();
        handlerTimer(queue, type).record(handler);
    }

    public void retried(String queue) {
        counter("streamq.jobs.retried", "queue", queue).increment();
    }

    public void deadLettered(String queue, String reason) {
        counter("streamq.jobs.dead.lettered", "queue", queue, "reason", reason).increment();
    }

    public void reclaimed(String queue, int count) {
        counter("streamq.jobs.reclaimed", "queue", queue).increment(count);
    }

    public void duplicate(String queue) {
        counter("streamq.jobs.duplicates", "queue", queue).increment();
    }

    public void redriven(String queue, long count) {
        counter("streamq.jobs.redriven", "queue", queue).increment(count);
    }

    /**
     * Removes the series of every queue not in {@code queues} (the registry, or the queues a
     * worker consumes) that counted nothing for {@code idle}: a forgotten queue's counters go
     * with it, so their number stays bounded by the queues that exist rather than by every
     * queue this process ever saw. The idle time guards a race: a listing read just before a
     * new queue's first submission lacks that queue, and must not wipe its first counts. A
     * queue leaves the registry only after being idle that long, so nothing else is kept.
     */
    public void forgetAllBut(Set<String> queues, Duration idle) {
        long before = System.currentTimeMillis() - idle.toMillis();
        Set<String> gone = new HashSet<>();
        lastCounted.forEach((queue, at) -> {
            if (!queues.contains(queue) && at < before) {
                gone.add(queue);
            }
        });
        forget(counters, gone);
        forget(timers, gone);
        gone.forEach(lastCounted::remove);
    }

    private <M extends Meter> void forget(Map<String, M> cache, Set<String> gone) {
        cache.entrySet().removeIf(entry -> {
            String queue = entry.getValue().getId().getTag("queue");
            if (queue != null && gone.contains(queue)) {
                registry.remove(entry.getValue());
                return true;
            }
            return false;
        });
    }

    private Timer handlerTimer(String queue, String type) {
        return timer("streamq.job.handler.duration", "Time a handler ran, per attempt", "queue", queue, "type", type);
    }

    private Counter counter(String name, String... tags) {
        counted(tags);
        return cached(counters, name, tags, key -> registry.counter(name, tags));
    }

    private Timer timer(String name, String description, String... tags) {
        counted(tags);
        return cached(timers, name, tags, key -> Timer.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry));
    }

    /** Notes the use of a queue's meter; every meter's first tag pair is its queue. */
    private void counted(String[] tags) {
        lastCounted.put(tags[1], System.currentTimeMillis());
    }

    private static <M> M cached(Map<String, M> cache, String name, String[] tags, Function<String, M> create) {
        return cache.computeIfAbsent(name + '|' + String.join("|", tags), create);
    }
}

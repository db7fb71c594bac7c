package dev.streamq.metrics;

import dev.streamq.config.StreamqConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Counters and histograms of what happens to jobs; queue, type, outcome and reason are the
 * only labels (all bounded). Meters are looked up once per label set and kept: these calls
 * sit on the per-job hot path.
 *
 * <p>The counters of every queue this process knows exist at 0 before their first event
 * ({@link #track}): Prometheus' increase() and rate() need a sample before the first increment,
 * so a counter born at 1 hides its first event from every alert and panel (a pod's first dead
 * letters fired no alert). A queue's label is QueueLabels': past queue-series-limit queues
 * share the overflow series. Timers are not started early: each is a histogram of 17 buckets
 * (HistogramBuckets), and a quantile loses nothing by missing the first observation.
 */
@ApplicationScoped
public class JobMetrics {

    static final String ENQUEUED = "streamq.jobs.enqueued";
    static final String REDRIVEN = "streamq.jobs.redriven";
    static final String COMPLETED = "streamq.jobs.completed";
    static final String RETRIED = "streamq.jobs.retried";
    static final String RECLAIMED = "streamq.jobs.reclaimed";
    static final String DUPLICATES = "streamq.jobs.duplicates";
    static final String DEAD_LETTERED = "streamq.jobs.dead.lettered";

    private final MeterRegistry registry;
    /** Which counters this process moves, and so starts at 0: submissions where the API runs, runs where workers do. */
    private final boolean countsSubmissions;
    private final boolean countsRuns;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Set<String> tracked = ConcurrentHashMap.newKeySet();
    /** Labels (QueueLabels) whose counters exist: a queue's own, or the overflow series. */
    private final Set<String> startedAtZero = ConcurrentHashMap.newKeySet();
    private final QueueLabels labels;

    JobMetrics(MeterRegistry registry, QueueLabels labels, StreamqConfig config) {
        this.registry = registry;
        this.labels = labels;
        this.countsSubmissions = config.role().servesApi();
        this.countsRuns = config.role().runsWorkers();
    }

    /**
     * The queues this process knows (the registry where the API runs, the consumed queues in a
     * worker): a queue new to it gets every counter the process moves at 0, one for each dead-letter
     * reason; a queue that was known and no longer is loses its counters and timers, so series stay
     * bounded by the queues that exist rather than by every queue this process ever saw.
     *
     * <p>Only a queue seen before and gone now is forgotten. The registry is read from a snapshot
     * up to stats-cache-ttl old, which lacks a queue born since: taking that for "forgotten"
     * removed a new queue's first counts, and its series came back from 0.
     *
     * @param deadReasons every reason a job can be dead-lettered with (DeadReason's labels)
     */
    public synchronized void track(Set<String> queues, Collection<String> deadReasons) {
        Set<String> gone = new HashSet<>(tracked);
        gone.removeAll(queues);
        if (!gone.isEmpty()) {
            forget(counters, gone);
            forget(timers, gone);
            tracked.removeAll(gone);
            gone.forEach(queue -> {
                labels.release(queue);
                startedAtZero.remove(queue);
            });
        }
        // every time, not only for a new queue: a queue on the overflow series gets its own
        // series once a forgotten queue left a place
        queues.forEach(queue -> adopt(queue, deadReasons));
    }

    /**
     * One queue this process now runs jobs of, before the next track(): a worker adopts a new
     * queue at its first doorbell ring, and that queue's first jobs finished before the discovery
     * tick were counted under {@value QueueLabels#OVERFLOW} (ExportedNamesIT saw 2 of 3
     * successes on the queue's own series). O(1): a ring of each of 10,000 new queues must not
     * copy the set of queues each time.
     */
    public synchronized void adopt(String queue, Collection<String> deadReasons) {
        tracked.add(queue);
        String label = labels.of(queue);
        if (!startedAtZero.contains(label)) {
            startAtZero(label, deadReasons);
            startedAtZero.add(label);
        }
    }

    private void startAtZero(String label, Collection<String> deadReasons) {
        if (countsSubmissions) {
            counter(ENQUEUED, "queue", label);
            counter(REDRIVEN, "queue", label);
        }
        if (countsRuns) {
            counter(COMPLETED, "queue", label, "outcome", "succeeded");
            counter(COMPLETED, "queue", label, "outcome", "failed");
            counter(RETRIED, "queue", label);
            counter(RECLAIMED, "queue", label);
            counter(DUPLICATES, "queue", label);
            for (String reason : deadReasons) {
                counter(DEAD_LETTERED, "queue", label, "reason", reason);
            }
        }
    }

    public void enqueued(String queue, int count) {
        counter(ENQUEUED, "queue", submissionLabel(queue)).increment(count);
    }

    public void succeeded(String queue, String type, Duration handler, Duration endToEnd) {
        String label = labels.current(queue);
        counter(COMPLETED, "queue", label, "outcome", "succeeded").increment();
        handlerTimer(label, type).record(handler);
        timer("streamq.job.latency", "Time from submission to successful completion", "queue", label).record(endToEnd);
    }

    public void failed(String queue, String type, Duration handler) {
        String label = labels.current(queue);
        counter(COMPLETED, "queue", label, "outcome", "failed").increment();
        handlerTimer(label, type).record(handler);
    }

    public void retried(String queue) {
        counter(RETRIED, "queue", labels.current(queue)).increment();
    }

    public void deadLettered(String queue, String reason) {
        counter(DEAD_LETTERED, "queue", labels.current(queue), "reason", reason).increment();
    }

    public void reclaimed(String queue, int count) {
        counter(RECLAIMED, "queue", labels.current(queue)).increment(count);
    }

    public void duplicate(String queue) {
        counter(DUPLICATES, "queue", labels.current(queue)).increment();
    }

    public void redriven(String queue, long count) {
        counter(REDRIVEN, "queue", submissionLabel(queue)).increment(count);
    }

    /**
     * A submission may give a place to a queue that track() has not seen yet: the registry snapshot
     * lacks a queue born since, and its first counts belong to it. Every other event takes no place
     * (QueueLabels.current): only track() gives one to a queue it knows, and starts its counters at
     * 0 first, and a late event of a forgotten queue (a reclaim or a completion after its drop)
     * would hold a place that nothing gives back.
     */
    private String submissionLabel(String queue) {
        return tracked.contains(queue) ? labels.current(queue) : labels.of(queue);
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

    private Timer handlerTimer(String label, String type) {
        return timer("streamq.job.handler.duration", "Time a handler ran, per attempt", "queue", label, "type", type);
    }

    private Counter counter(String name, String... tags) {
        return cached(counters, name, tags, key -> registry.counter(name, tags));
    }

    private Timer timer(String name, String description, String... tags) {
        return cached(timers, name, tags, key -> Timer.builder(name)
                .description(description)
                .tags(tags)
                .serviceLevelObjectives(HistogramBuckets.JOB)
                .register(registry));
    }

    private static <M> M cached(Map<String, M> cache, String name, String[] tags, Function<String, M> create) {
        return cache.computeIfAbsent(name + '|' + String.join("|", tags), create);
    }
}

package dev.streamq.api;

import dev.streamq.config.StreamqConfig;
import dev.streamq.metrics.JobMetrics;
import dev.streamq.metrics.LabelledGauges;
import dev.streamq.metrics.QueueLabels;
import dev.streamq.queue.Broker;
import dev.streamq.queue.DeadReason;
import dev.streamq.queue.QueueDepth;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.RedisCalls;
import dev.streamq.redis.RedisOperation;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Queue depths, computed by one script call per queue and reused for the cache TTL, so a
 * dashboard or a busy client does not turn into XINFO load on the master. The same figures
 * feed the queue gauges, refreshed in the background (gauges must not block a scrape).
 *
 * <p>State here is per registered queue only: a read of a queue that does not exist answers
 * 404 and leaves no cache entry and no gauge series, and a queue that leaves the registry
 * loses both at the next refresh. So memory and metrics cardinality are bounded by the queues
 * that exist (and so by {@code streamq.queues.max}), and the gauges by QueueLabels' limit. Depths of many queues are read a few at a
 * time, never all at once: 10,000 parallel calls would overflow the client's wait queue.
 */
@ApplicationScoped
public class QueueStats {

    private static final Duration GAUGE_REFRESH = Duration.ofSeconds(1);
    /** Depth calls in flight at once when reading every queue. */
    private static final int READ_CONCURRENCY = 8;
    private static final int GAUGES_PER_REFRESH = 200;

    private final Broker broker;
    private final RedisCalls redis;
    private final JobMetrics jobMetrics;
    private final Vertx vertx;
    private final Duration ttl;
    private final Map<String, Uni<QueueDepth>> cached = new ConcurrentHashMap<>();
    private final Map<String, QueueDepth> lastKnown = new ConcurrentHashMap<>();
    private final LabelledGauges<QueueDepth> gauges;
    private final Uni<Set<QueueName>> registered;
    private int refreshCursor;
    private final boolean servesApi;
    private final QueueLabels labels;

    QueueStats(Broker broker, RedisCalls redis, MeterRegistry meters, JobMetrics jobMetrics, QueueLabels labels, Vertx vertx,
            StreamqConfig config) {
        this.labels = labels;
        this.gauges = new LabelledGauges<>(meters, lastKnown, depthSeries());
        this.jobMetrics = jobMetrics;
        this.broker = broker;
        this.redis = redis;
        this.vertx = vertx;
        this.ttl = config.api().statsCacheTtl();
        this.servesApi = config.role().servesApi();
        this.registered = broker.queues().<Set<QueueName>>map(LinkedHashSet::new).memoize().atLeast(ttl);
    }

    /** Queue gauges come from the processes that serve the API: a worker pod would only repeat them. */
    void onStart(@Observes StartupEvent event) {
        if (!servesApi) {
            return;
        }
        vertx.setPeriodic(GAUGE_REFRESH.toMillis(), id -> refreshGauges().subscribe().with(ok -> {}, failure -> {}));
    }

    /**
     * Refreshes the gauges of the next {@value #GAUGES_PER_REFRESH} registered queues every second,
     * round robin: with 10,000 queues a full refresh every 5 s would be 2,000 scripts a second from
     * every pod, in bursts. A gauge is then up to queues / {@value #GAUGES_PER_REFRESH} s old (50 s at 10,000).
     */
    private Uni<Void> refreshGauges() {
        return redis.call(RedisOperation.STATS, () -> registered).chain(names -> {
            forgetAllBut(names);
            List<QueueName> all = List.copyOf(names);
            if (all.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            int from = Math.floorMod(refreshCursor, all.size());
            int count = Math.min(GAUGES_PER_REFRESH, all.size());
            refreshCursor = from + count;
            List<QueueName> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                batch.add(all.get((from + i) % all.size()));
            }
            return Multi.createFrom().iterable(batch)
                    .onItem().transformToUni(this::cachedDepth).merge(READ_CONCURRENCY)
                    .collect().last().replaceWithVoid();
        });
    }

    /** The depth of a registered queue; a 404 problem for any other name. */
    public Uni<QueueDepth> depth(QueueName queue) {
        return redis.call(RedisOperation.STATS, () -> registered)
                .chain(names -> names.contains(queue) ? Uni.createFrom().item(true) : redis.call(RedisOperation.STATS, () -> broker.isRegistered(queue)))
                .chain(known -> {
                    if (!known) {
                        throw new ProblemException(404, "queue", "no queue " + queue.value()
                                + ": none has received a job, or it was idle long enough to leave the registry");
                    }
                    return cachedDepth(queue);
                });
    }

    public Uni<List<QueueDepth>> all() {
        // A fresh listing, not the memoized one: a caller that just submitted to a new queue
        // sees it listed (one SMEMBERS; the depths still come from the cache). Forgetting stays
        // with the periodic refresh: it must compare listings in the order they were read.
        return redis.call(RedisOperation.STATS, broker::queues).chain(names -> Multi.createFrom().iterable(names)
                .onItem().transformToUni(this::cachedDepth).merge(READ_CONCURRENCY)
                .collect().asList()
                .map(depths -> depths.stream().sorted(Comparator.comparing(QueueDepth::queue)).toList()));
    }

    private Uni<QueueDepth> cachedDepth(QueueName queue) {
        return redis.call(RedisOperation.STATS, () -> cached.computeIfAbsent(queue.value(), name -> broker.depth(queue)
                .invoke(this::remember)
                .memoize().atLeast(ttl)));
    }

    /**
     * Drops the cache entry, gauges and job counters of every queue that has left the registry,
     * and starts the job counters of a newly registered one at 0.
     */
    private void forgetAllBut(Set<QueueName> names) {
        Set<String> keep = new HashSet<>();
        names.forEach(q -> keep.add(q.value()));
        for (String queue : List.copyOf(cached.keySet())) {
            if (!keep.contains(queue)) {
                cached.remove(queue);
                forgetGauges(queue);
            }
        }
        // after the gauges are gone, so a freed label is not counted both ways in one scrape
        jobMetrics.track(keep, DeadReason.labels());
    }

    /** How many queues have cached figures: bounded by the registered queues. */
    int cachedQueues() {
        return cached.size();
    }

    /**
     * Keeps a depth for the gauges. A read that returns after its queue was forgotten leaves
     * nothing behind. Only JobMetrics.track gives a queue its label (QueueLabels), from the
     * registry, so a depth read takes no place that nothing would give back.
     */
    private void remember(QueueDepth depth) {
        String queue = depth.queue();
        if (!cached.containsKey(queue)) {
            return;
        }
        lastKnown.put(queue, depth);
        gauges.show(labels.current(queue));
        if (!cached.containsKey(queue)) {
            // forgotten while this ran (the refresh runs on another event loop): undo, or its
            // gauges would outlive it with nothing left to remove them
            forgetGauges(queue);
        }
    }

    private void forgetGauges(String queue) {
        lastKnown.remove(queue);
        gauges.hide(queue);
    }

    private static List<LabelledGauges.Series<QueueDepth>> depthSeries() {
        return List.of(
                new LabelledGauges.Series<>("streamq.queue.jobs", List.of("state", "ready"), QueueDepth::ready),
                new LabelledGauges.Series<>("streamq.queue.jobs", List.of("state", "pending"), QueueDepth::pending),
                new LabelledGauges.Series<>("streamq.queue.jobs", List.of("state", "delayed"), QueueDepth::delayed),
                new LabelledGauges.Series<>("streamq.queue.jobs", List.of("state", "dead"), QueueDepth::dead),
                new LabelledGauges.Series<>("streamq.queue.lag", List.of(), QueueDepth::lag),
                new LabelledGauges.Series<>("streamq.queue.consumers", List.of(), QueueDepth::consumers));
    }
}

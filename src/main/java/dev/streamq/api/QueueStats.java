package dev.streamq.api;

import dev.streamq.config.StreamqConfig;
import dev.streamq.queue.Broker;
import dev.streamq.queue.QueueDepth;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.RedisCalls;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Queue depths, computed by one script call per queue and reused for the cache TTL, so a
 * dashboard or a busy client does not turn into XINFO load on the master. The same figures
 * feed the queue gauges, refreshed in the background (gauges must not block a scrape).
 */
@ApplicationScoped
public class QueueStats {

    private static final Duration GAUGE_REFRESH = Duration.ofSeconds(5);

    private final Broker broker;
    private final RedisCalls redis;
    private final MeterRegistry meters;
    private final Vertx vertx;
    private final Duration ttl;
    private final Map<String, Uni<QueueDepth>> cached = new ConcurrentHashMap<>();
    private final Map<String, QueueDepth> lastKnown = new ConcurrentHashMap<>();
    private final Uni<List<QueueName>> queues;

    QueueStats(Broker broker, RedisCalls redis, MeterRegistry meters, Vertx vertx, StreamqConfig config) {
        this.broker = broker;
        this.redis = redis;
        this.meters = meters;
        this.vertx = vertx;
        this.ttl = config.api().statsCacheTtl();
        this.queues = broker.queues().memoize().atLeast(ttl);
    }

    void onStart(@Observes StartupEvent event) {
        vertx.setPeriodic(GAUGE_REFRESH.toMillis(), id -> all().subscribe().with(ok -> {}, failure -> {}));
    }

    public Uni<QueueDepth> depth(QueueName queue) {
        return redis.call("stats", () -> cached.computeIfAbsent(queue.value(), name -> broker.depth(queue)
                .invoke(this::remember)
                .memoize().atLeast(ttl)));
    }

    public Uni<List<QueueDepth>> all() {
        return redis.call("stats", () -> queues).chain(names -> names.isEmpty()
                ? Uni.createFrom().item(List.<QueueDepth>of())
                : Uni.join().all(names.stream().map(this::depth).toList()).andFailFast());
    }

    private void remember(QueueDepth depth) {
        if (lastKnown.put(depth.queue(), depth) == null) {
            String q = depth.queue();
            gauge("streamq.queue.jobs", q, "ready", d -> d.ready());
            gauge("streamq.queue.jobs", q, "pending", d -> d.pending());
            gauge("streamq.queue.jobs", q, "delayed", d -> d.delayed());
            gauge("streamq.queue.jobs", q, "dead", d -> d.dead());
            Gauge.builder("streamq.queue.lag", lastKnown, m -> m.get(q).lag()).tag("queue", q).register(meters);
            Gauge.builder("streamq.queue.consumers", lastKnown, m -> m.get(q).consumers()).tag("queue", q).register(meters);
        }
    }

    private void gauge(String name, String queue, String state, ToDoubleFunction<QueueDepth> value) {
        Gauge.builder(name, lastKnown, m -> value.applyAsDouble(m.get(queue)))
                .tags("queue", queue, "state", state)
                .register(meters);
    }
}

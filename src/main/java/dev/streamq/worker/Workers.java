package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.JobMetrics;
import dev.streamq.metrics.LabelledGauges;
import dev.streamq.metrics.QueueLabels;
import dev.streamq.metrics.RedisMetrics;
import dev.streamq.queue.Broker;
import dev.streamq.queue.DeadReason;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.QueueName;
import dev.streamq.queue.QueueSelection;
import dev.streamq.redis.Shards;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The worker side of this process: one {@link Fetcher} reading every consumed queue (a lane per shard),
 * a {@link QueueWorker} per queue for its deliveries in flight, plus the promoter, reclaimer,
 * lease keeper and queue pruner. Discovery keeps the consumed queues in step with the registry
 * and {@code streamq.worker.queues}: a queue that leaves the registry is dropped once nothing
 * of it runs here. Shutdown stops fetching, lets in-flight jobs finish within the grace period
 * and hands the rest back to the ready stream, so no job waits for a visibility timeout
 * because a pod was rolled.
 */
@ApplicationScoped
public class Workers {

    private static final Logger LOG = Logger.getLogger(Workers.class);

    private final StreamqConfig config;
    private final Broker broker;
    private final JobRunner runner;
    private final Vertx vertx;
    private final Promoter promoter;
    private final Reclaimer reclaimer;
    private final LeaseKeeper leaseKeeper;
    private final QueuePruner pruner;
    private final DueTimes due;
    private final JobMetrics jobMetrics;
    private final QueueSelection selection;
    private final String consumer;
    private final Map<String, QueueWorker> active = new ConcurrentHashMap<>();
    /** streamq.worker.inflight: jobs running now, per consumed queue's label. */
    private final LabelledGauges<QueueWorker> inflight;
    private final QueueLabels labels;
    private final Fetcher fetcher;
    /** The queues the last discovery wanted; a queue outside it whose group vanished was forgotten. */
    private volatile Set<QueueName> wanted = ConcurrentHashMap.newKeySet();
    private List<Ticker> tickers = List.of();
    private volatile boolean started;

    Workers(StreamqConfig config, Broker broker, JobRunner runner, RedisMetrics redisMetrics, MeterRegistry meters, QueueLabels labels,
            Vertx vertx, Promoter promoter, Reclaimer reclaimer, LeaseKeeper leaseKeeper, QueuePruner pruner, DueTimes due,
            JobMetrics jobMetrics, Shards shards) {
        this.jobMetrics = jobMetrics;
        this.config = config;
        this.broker = broker;
        this.runner = runner;
        this.labels = labels;
        this.inflight = new LabelledGauges<>(meters, active,
                List.of(new LabelledGauges.Series<>("streamq.worker.inflight", List.of(), QueueWorker::inFlightCount)));
        this.vertx = vertx;
        this.promoter = promoter;
        this.reclaimer = reclaimer;
        this.leaseKeeper = leaseKeeper;
        this.pruner = pruner;
        this.due = due;
        this.selection = new QueueSelection(config.worker().queues());
        this.consumer = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.fetcher = new Fetcher(active, consumer, broker, shards, redisMetrics, vertx, config, q -> wanted.contains(q),
                this::adoptIfSelected);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.role().runsWorkers()) {
            return;
        }
        var worker = config.worker();
        tickers = List.of(
                new Ticker("discovery", vertx, worker.discoveryInterval(), this::discover),
                new Ticker("promoter", vertx, worker.promoteInterval(), () -> promoter.promoteDue(queues())),
                new Ticker("reclaimer", vertx, worker.reclaimInterval(), () -> reclaimer.reclaim(active.values(), fetcher::freeSlots)),
                new Ticker("lease keeper", vertx, worker.leaseInterval(), () -> leaseKeeper.renew(active.values())),
                new Ticker("queue pruner", vertx, config.queues().pruneInterval(), pruner::prune));
        tickers.forEach(Ticker::start);
        fetcher.start();
        started = true;
        EventLog.of(Event.WORKER_STARTED).log(LOG, "worker " + consumer + " started, queues " + worker.queues());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (!started) {
            return;
        }
        started = false;
        tickers.forEach(Ticker::stop);
        fetcher.stopFetching();
        EventLog.of(Event.WORKER_STOPPING).log(LOG, "worker " + consumer + " stopping; waiting for in-flight jobs");
        long deadline = System.currentTimeMillis() + config.worker().shutdownGrace().toMillis();
        while ((inFlightCount() > 0 || fetcher.reading()) && System.currentTimeMillis() < deadline) {
            sleep(50);
        }
        handBackUnfinished();
        // A read still blocked in XREADGROUP may receive the entries just handed back: let it
        // end (within the poll timeout) and hand back what it brought too.
        long readsEnd = System.currentTimeMillis() + config.worker().pollTimeout().toMillis() + 1_000;
        while (fetcher.reading() && System.currentTimeMillis() < readsEnd) {
            sleep(20);
        }
        handBackUnfinished();
    }

    private void handBackUnfinished() {
        for (QueueWorker worker : active.values()) {
            worker.takeUnfinished().forEach(this::handBack);
        }
    }

    private void handBack(Delivery d) {
        try {
            if (broker.release(d).await().atMost(Duration.ofSeconds(2))) {
                EventLog.of(Event.JOB_RELEASED).queue(d.queue().value()).jobId(d.jobId()).log(LOG, "handed back to the queue at shutdown");
            }
        } catch (RuntimeException e) {
            EventLog.of(Event.JOB_UNRECORDED).queue(d.queue().value()).jobId(d.jobId()).error(e.getMessage()).log(LOG,
                    "could not hand back at shutdown; it will be reclaimed after the visibility timeout");
        }
    }

    /** True while the process runs workers and its read has not been outstanding far past its own timeouts. */
    public boolean healthy(Duration stuckAfter) {
        long since = fetcher.readStartedAt();
        return since == 0 || System.currentTimeMillis() - since <= stuckAfter.toMillis();
    }

    public boolean runs() {
        return started;
    }

    public int inFlightCount() {
        return fetcher.inFlightCount();
    }

    private List<QueueName> queues() {
        return active.values().stream().map(QueueWorker::queue).toList();
    }

    /**
     * Brings the consumed queues in step with the registry and the configured selection, then
     * sweeps their delayed sets when there are too many for the promoter to peek at every tick.
     */
    private Uni<Void> discover() {
        Uni<List<QueueName>> registered = selection.readsRegistry() ? broker.queues() : Uni.createFrom().item(List.of());
        return registered.chain(list -> {
            Set<QueueName> now = selection.select(list);
            Set<QueueName> fresh = ConcurrentHashMap.newKeySet(now.size());
            fresh.addAll(now);
            wanted = fresh;
            now.forEach(this::consume);
            List.copyOf(active.values()).forEach(worker -> {
                if (!now.contains(worker.queue()) && worker.inFlightCount() == 0) {
                    drop(worker.queue());
                }
            });
            if (!config.role().servesApi()) {
                // where the API runs, QueueStats does this against the registry
                jobMetrics.track(Set.copyOf(active.keySet()), DeadReason.labels());
            }
            fetcher.followShards();
            fetcher.wake();
            return promoter.sweep(queues());
        });
    }

    /**
     * A ring for a queue this process does not consume yet: a new queue's first job (enqueue
     * registers the queue before it rings). Consumed now if the selection wants it, not at the
     * next discovery tick (5 s), so a new queue's first job starts as fast as any other.
     */
    private void adoptIfSelected(QueueName queue) {
        if (!selection.wants(queue)) {
            return;
        }
        // added in place: a copy per ring was O(queues) each, and 10,000 new queues ringing at
        // once held the event loop 3.4 s (a complete call timed out and its job ran twice)
        wanted.add(queue);
        if (!config.role().servesApi()) {
            // where the API runs, the submission that rang gave the queue its place
            jobMetrics.adopt(queue.value(), DeadReason.labels());
        }
        consume(queue);
    }

    private void consume(QueueName queue) {
        boolean[] joined = {false};
        active.computeIfAbsent(queue.value(), name -> {
            QueueWorker worker = new QueueWorker(queue, consumer, runner, fetcher.inFlightCounter(), fetcher::wake);
            EventLog.of(Event.QUEUE_CONSUMED).queue(name).log(LOG, "consuming queue " + name + " as " + consumer);
            joined[0] = true;
            return worker;
        });
        // asked on every discovery: a queue gets its own gauge once JobMetrics.track gave it a
        // place, and loses it when the place was given back while it is still consumed (a
        // queue named in streamq.worker.queues)
        String label = labels.current(queue.value());
        if (!label.equals(queue.value())) {
            inflight.hide(queue.value());
        }
        inflight.show(label);
        if (joined[0]) {
            fetcher.joined(queue); // after it is in the map, where its lane looks for the groups to create
        }
    }

    private void drop(QueueName queue) {
        if (active.remove(queue.value()) != null) {
            inflight.hide(queue.value());
            due.forget(queue);
            EventLog.of(Event.QUEUE_DROPPED).queue(queue.value()).log(LOG, "no longer consuming queue " + queue.value());
        }
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "worker";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.RedisMetrics;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.QueueName;
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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The worker side of this process: one {@link QueueWorker} per consumed queue, plus the
 * promoter, reclaimer and lease keeper. Shutdown stops fetching, lets in-flight jobs finish
 * within the grace period and hands the rest back to the ready stream, so no job waits
 * for a visibility timeout because a pod was rolled.
 */
@ApplicationScoped
public class Workers {

    private static final Logger LOG = Logger.getLogger(Workers.class);

    private final StreamqConfig config;
    private final Broker broker;
    private final JobRunner runner;
    private final RedisMetrics redisMetrics;
    private final MeterRegistry meters;
    private final Vertx vertx;
    private final Promoter promoter;
    private final Reclaimer reclaimer;
    private final LeaseKeeper leaseKeeper;
    private final String consumer;
    private final Map<String, QueueWorker> active = new ConcurrentHashMap<>();
    private List<Ticker> tickers = List.of();
    private volatile boolean started;

    Workers(StreamqConfig config, Broker broker, JobRunner runner, RedisMetrics redisMetrics, MeterRegistry meters,
            Vertx vertx, Promoter promoter, Reclaimer reclaimer, LeaseKeeper leaseKeeper) {
        this.config = config;
        this.broker = broker;
        this.runner = runner;
        this.redisMetrics = redisMetrics;
        this.meters = meters;
        this.vertx = vertx;
        this.promoter = promoter;
        this.reclaimer = reclaimer;
        this.leaseKeeper = leaseKeeper;
        this.consumer = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.role().runsWorkers()) {
            return;
        }
        var worker = config.worker();
        tickers = List.of(
                new Ticker("discovery", vertx, worker.discoveryInterval(), this::discover),
                new Ticker("promoter", vertx, worker.promoteInterval(), () -> promoter.promote(queues())),
                new Ticker("reclaimer", vertx, worker.reclaimInterval(), () -> reclaimer.reclaim(active.values())),
                new Ticker("lease keeper", vertx, worker.leaseInterval(), () -> leaseKeeper.renew(active.values())));
        tickers.forEach(Ticker::start);
        started = true;
        EventLog.info(LOG, "worker_started", null, null, 0, "worker " + consumer + " started, queues " + worker.queues());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (!started) {
            return;
        }
        started = false;
        tickers.forEach(Ticker::stop);
        active.values().forEach(QueueWorker::stopFetching);
        EventLog.info(LOG, "worker_stopping", null, null, 0, "worker " + consumer + " stopping; waiting for in-flight jobs");
        long deadline = System.currentTimeMillis() + config.worker().shutdownGrace().toMillis();
        while ((inFlightCount() > 0 || active.values().stream().anyMatch(QueueWorker::reading))
                && System.currentTimeMillis() < deadline) {
            sleep(50);
        }
        handBackUnfinished();
        // A read still blocked in XREADGROUP may receive the entries just handed back: let it
        // end (within the poll timeout) and hand back what it brought too.
        long readsEnd = System.currentTimeMillis() + config.worker().pollTimeout().toMillis() + 1_000;
        while (active.values().stream().anyMatch(QueueWorker::reading) && System.currentTimeMillis() < readsEnd) {
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
                EventLog.warn(LOG, "job_released", d.queue().value(), d.jobId(), 0, null, "handed back to the queue at shutdown");
            }
        } catch (RuntimeException e) {
            EventLog.warn(LOG, "job_unrecorded", d.queue().value(), d.jobId(), 0, e.getMessage(),
                    "could not hand back at shutdown; it will be reclaimed after the visibility timeout");
        }
    }

    /** True while the process runs workers and no queue's read has been outstanding far past its own timeouts. */
    public boolean healthy(Duration stuckAfter) {
        long now = System.currentTimeMillis();
        for (QueueWorker worker : active.values()) {
            long since = worker.readStartedAt();
            if (since != 0 && now - since > stuckAfter.toMillis()) {
                return false;
            }
        }
        return true;
    }

    public boolean runs() {
        return started;
    }

    public int inFlightCount() {
        return active.values().stream().mapToInt(w -> w.inFlight().size()).sum();
    }

    private Collection<QueueName> queues() {
        return active.values().stream().map(QueueWorker::queue).toList();
    }

    private Uni<Void> discover() {
        List<String> wanted = config.worker().queues();
        Uni<List<QueueName>> names = wanted.contains("*")
                ? broker.queues()
                : Uni.createFrom().item(wanted.stream().map(QueueName::new).toList());
        return names.invoke(list -> list.forEach(this::consume)).replaceWithVoid();
    }

    private void consume(QueueName queue) {
        active.computeIfAbsent(queue.value(), name -> {
            QueueWorker worker = new QueueWorker(queue, consumer, broker, runner, redisMetrics, vertx, config);
            meters.gauge("streamq.worker.inflight", List.of(io.micrometer.core.instrument.Tag.of("queue", name)),
                    worker, w -> w.inFlight().size());
            worker.start();
            EventLog.info(LOG, "queue_consumed", name, null, 0, "consuming queue " + name + " as " + consumer);
            return worker;
        });
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

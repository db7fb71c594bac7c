package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.RedisMetrics;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.RedisErrorKind;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The fetch loop of one queue in this process: XREADGROUP as many entries as there are free
 * slots, run each, read again. At most one read is outstanding; a finished job frees a slot
 * and wakes the loop. When Redis fails the loop backs off with full jitter and tries again,
 * forever: a worker never crashes or spins through a failover.
 */
final class QueueWorker {

    private static final Logger LOG = Logger.getLogger(QueueWorker.class);

    private final QueueName queue;
    private final String consumer;
    private final Broker broker;
    private final JobRunner runner;
    private final RedisMetrics redisMetrics;
    private final Vertx vertx;
    private final int concurrency;
    private final Duration pollTimeout;
    private final Duration backoffMin;
    private final Duration backoffMax;

    private final Map<String, Delivery> inFlight = new ConcurrentHashMap<>();
    /** Entries a read returned after shutdown began: never started, to be handed back. */
    private final List<Delivery> notStarted = new CopyOnWriteArrayList<>();
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile boolean fetching;
    private volatile boolean groupReady;
    /** When the outstanding read started, 0 when none is: a read older than its timeouts means a wedged connection. */
    private volatile long readStartedAt;
    private int failuresInARow;

    QueueWorker(QueueName queue, String consumer, Broker broker, JobRunner runner, RedisMetrics redisMetrics,
            Vertx vertx, StreamqConfig config) {
        this.queue = queue;
        this.consumer = consumer;
        this.broker = broker;
        this.runner = runner;
        this.redisMetrics = redisMetrics;
        this.vertx = vertx;
        this.concurrency = config.worker().concurrency();
        this.pollTimeout = config.worker().pollTimeout();
        this.backoffMin = config.worker().redisBackoffMin();
        this.backoffMax = config.worker().redisBackoffMax();
    }

    QueueName queue() {
        return queue;
    }

    String consumer() {
        return consumer;
    }

    void start() {
        fetching = true;
        vertx.runOnContext(v -> pump());
    }

    void stopFetching() {
        fetching = false;
    }

    int freeSlots() {
        return Math.max(0, concurrency - inFlight.size());
    }

    List<Delivery> inFlight() {
        return new ArrayList<>(inFlight.values());
    }

    long readStartedAt() {
        return readStartedAt;
    }

    /** True while a read (or the back-off after a failed one) is outstanding. */
    boolean reading() {
        return reading.get();
    }

    /**
     * Takes what shutdown must hand back: deliveries still running and those read but never
     * started. Each is taken once, so a second hand-back round does not repeat the first.
     */
    List<Delivery> takeUnfinished() {
        List<Delivery> all = new ArrayList<>();
        inFlight.forEach((entryId, d) -> {
            if (inFlight.remove(entryId, d)) {
                all.add(d);
            }
        });
        notStarted.forEach(d -> {
            if (notStarted.remove(d)) {
                all.add(d);
            }
        });
        return all;
    }

    /** Runs deliveries this worker took (read, or reclaimed from a dead consumer): one start call for all, then each handler. */
    void dispatch(List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        deliveries.forEach(d -> inFlight.put(d.entryId(), d));
        runner.start(deliveries, consumer).subscribe().with(
                attempts -> {
                    for (int i = 0; i < deliveries.size(); i++) {
                        Delivery d = deliveries.get(i);
                        if (attempts.get(i).isPresent()) {
                            runner.run(attempts.get(i).get()).subscribe().with(done -> finished(d), failure -> finished(d));
                        } else {
                            finished(d);
                        }
                    }
                },
                failure -> deliveries.forEach(this::finished));
    }

    private void finished(Delivery delivery) {
        inFlight.remove(delivery.entryId());
        pump();
    }

    private void pump() {
        int free = freeSlots();
        if (!fetching || free == 0 || !reading.compareAndSet(false, true)) {
            return;
        }
        readStartedAt = System.currentTimeMillis();
        var read = groupReady
                ? broker.read(queue, consumer, free, pollTimeout)
                : broker.ensureGroup(queue).invoke(() -> groupReady = true)
                        .chain(() -> broker.read(queue, consumer, free, pollTimeout));
        read.subscribe().with(this::received, this::readFailed);
    }

    private void received(List<Delivery> deliveries) {
        if (failuresInARow > 0) {
            EventLog.info(LOG, "worker_resumed", queue.value(), null, 0,
                    "worker reads again after " + failuresInARow + " failed reads");
        }
        failuresInARow = 0;
        if (fetching) {
            dispatch(deliveries);
        } else {
            notStarted.addAll(deliveries); // shutdown began while this read was blocked
        }
        readStartedAt = 0;
        reading.set(false);
        pump();
    }

    private void readFailed(Throwable failure) {
        RedisErrorKind kind = RedisErrorKind.of(failure);
        redisMetrics.error(kind.label());
        if (String.valueOf(failure.getMessage()).startsWith("NOGROUP")) {
            groupReady = false; // the stream or group vanished (e.g. a failover to a replica that lacked it): recreate
        }
        if (failuresInARow++ == 0) {
            EventLog.warn(LOG, "redis_error", queue.value(), null, 0, failure.getMessage(),
                    "worker read failed (" + kind.label() + "); backing off and retrying");
        }
        long ceiling = Math.min(backoffMax.toMillis(), backoffMin.toMillis() << Math.min(failuresInARow, 16));
        long delay = Math.max(1, ThreadLocalRandom.current().nextLong(ceiling + 1));
        readStartedAt = 0;
        vertx.setTimer(delay, id -> {
            reading.set(false);
            pump();
        });
    }
}

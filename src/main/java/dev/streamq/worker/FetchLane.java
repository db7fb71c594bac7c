package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.RedisMetrics;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.Shards;
import dev.streamq.redis.RedisErrorKind;
import dev.streamq.redis.RedisErrorLog;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The fetch loop of one shard, for every consumed queue of that shard at once, on one blocked
 * connection however many queues it serves (one per queue exhausted the pool at ~30 queues).
 * Without Redis Cluster there is one shard and so one lane; on Cluster one lane per shard, so
 * that a shard in failover holds only its own lane's read ({@link Fetcher}).
 * <ol>
 *   <li>while some queues are <em>hot</em> (their last read returned entries, or the doorbell
 *       rang for them), read those at once, as many entries as there are free slots;</li>
 *   <li>else block on the shard's doorbell ({@link Broker#waitForRings}): one XREAD whose cost
 *       does not depend on the number of queues, where a blocking XREADGROUP over 10,000 streams
 *       costs Redis about 6 ms per call;</li>
 *   <li>every poll timeout, sweep: read up to {@value #SWEEP_SLICE} of the shard's consumed
 *       streams at once, round robin, without waiting, which finds work whose ring was lost
 *       (the doorbell is a hint) or came before this process.</li>
 * </ol>
 * COUNT is per stream: {@code free / queues read}, at least 1, so a read over many queues with
 * work takes one entry from each of them. At most one read per lane is outstanding, and the
 * slots it may fill are reserved while it is ({@link Fetcher#reserve}), so lanes together never
 * take more jobs than the process's concurrency. A finished job frees a slot and wakes the
 * loops. When Redis fails the lane backs off with full jitter and tries again, forever: a worker
 * never crashes or spins through a failover.
 */
final class FetchLane {

    private static final Logger LOG = Logger.getLogger(FetchLane.class);
    /** Consumer groups created at once when many queues join. */
    private static final int GROUP_CONCURRENCY = 8;
    private static final int SWEEP_SLICE = 1000;
    /** The operation field of the loop's redis_error lines: a read, a wait on the doorbell or a group creation. */
    private static final String READ = "read";

    private final Map<String, QueueWorker> queues;
    private final Shards.Shard shard;
    /**
     * This lane's shard in the slot map of the moment (its ranges move with a resharding), or
     * null once the shard is gone: the queues whose slot it owns are this lane's to sweep.
     */
    private final Supplier<Shards.Shard> currentShard;
    private final Fetcher slots;
    private final BooleanSupplier processFetching;
    private final String consumer;
    private final Broker broker;
    private final RedisMetrics redisMetrics;
    private final Vertx vertx;
    private final Duration pollTimeout;
    private final Duration backoffMin;
    private final Duration backoffMax;
    /** Whether a queue is still wanted: the group of a forgotten one is not recreated (that would recreate its stream). */
    private final Predicate<QueueName> stillWanted;
    /** Told of a ring for a queue this process does not consume yet (a new queue's first job). */
    private final Consumer<QueueName> newQueueRang;

    private final AtomicBoolean reading = new AtomicBoolean();
    /**
     * Set when a queue may lack its consumer group ({@link #checkGroups}): only then does a turn
     * look through every queue for the missing groups. Looking on every turn made each finished
     * job cost a pass over all the queues (10,000 queues: half a core, and the tail of job
     * starts three times that of one queue in ManyQueuesIT).
     */
    private final AtomicBoolean groupsToCheck = new AtomicBoolean(true);
    private volatile boolean fetching;
    /** When the outstanding read started, 0 when none is: a read older than its timeouts means a wedged connection. */
    private volatile long readStartedAt;
    private int failuresInARow;
    /** The first failure of each kind in a run of failed reads, then one per kind every 10 s. */
    private final RedisErrorLog errors;
    /** Queues to read without waiting on the next turn. Touched only by the one outstanding read's callbacks. */
    private final Set<QueueName> hot = new LinkedHashSet<>();
    /** Queues that joined since the last turn, from discovery's thread: read at once, they may have a backlog. */
    private final Set<QueueName> joined = ConcurrentHashMap.newKeySet();
    /** The doorbell entry after which to wait; starts at this process's start time. */
    private String ringsAfter = System.currentTimeMillis() + "-0";
    /** Slots held for the outstanding read until its entries are dispatched (counted in flight) or it failed. */
    private int reserved;
    /** Where the next read with fewer slots than queues starts, round robin, so no queue waits behind the others. */
    private int readCursor;
    private long lastSweepAt;
    private int sweepCursor;

    FetchLane(Shards.Shard shard, Supplier<Shards.Shard> currentShard, Fetcher slots, Map<String, QueueWorker> queues, String consumer,
            Broker broker, RedisMetrics redisMetrics, Vertx vertx, StreamqConfig config, Predicate<QueueName> stillWanted,
            Consumer<QueueName> newQueueRang) {
        this.shard = shard;
        this.currentShard = currentShard;
        this.slots = slots;
        this.processFetching = slots::fetching;
        this.queues = queues;
        this.consumer = consumer;
        this.broker = broker;
        this.redisMetrics = redisMetrics;
        this.vertx = vertx;
        this.pollTimeout = config.worker().pollTimeout();
        this.backoffMin = config.worker().redisBackoffMin();
        this.backoffMax = config.worker().redisBackoffMax();
        this.stillWanted = stillWanted;
        this.newQueueRang = newQueueRang;
        this.errors = new RedisErrorLog(LOG);
    }

    void start() {
        fetching = true;
        wake();
    }

    void stopFetching() {
        fetching = false;
    }

    /** Reads again if a slot is free and no read is outstanding; safe from any thread. */
    void wake() {
        vertx.runOnContext(v -> pump());
    }

    Shards.Shard shard() {
        return shard;
    }

    long readStartedAt() {
        return readStartedAt;
    }

    /** True while a read (or the back-off after a failed one) is outstanding. */
    boolean reading() {
        return reading.get();
    }

    /** A queue that starts being consumed: read it on the next turn rather than wait for a ring or the sweep. */
    void joined(QueueName queue) {
        joined.add(queue);
    }

    /** Looks for queues without their consumer group on the next turn. */
    void checkGroups() {
        groupsToCheck.set(true);
    }

    private void pump() {
        int free = slots.freeSlots();
        // With no queue yet the loop still waits on the doorbell: a new queue's ring adopts it.
        if (!fetching || free == 0 || !reading.compareAndSet(false, true)) {
            return;
        }
        readStartedAt = System.currentTimeMillis();
        ensureGroups().chain(() -> turn(free)).subscribe().with(this::received, this::readFailed);
    }

    /** This lane's consumed queues: the slot map is asked once, not once per queue. */
    private List<QueueWorker> owned() {
        Shards.Shard now = currentShard.get();
        return now == null ? List.of() : queues.values().stream().filter(w -> now.owns(w.slot())).toList();
    }

    /** One turn of the loop: a sweep, a read of the hot queues, or a wait on the doorbell. */
    private Uni<List<Delivery>> turn(int free) {
        hot.addAll(joined);
        joined.clear();
        long now = System.currentTimeMillis();
        if (now - lastSweepAt >= pollTimeout.toMillis()) {
            lastSweepAt = now;
            // the hot queues are read by the hot turns, bounded by the free slots; the sweep is for
            // the others, which have unread entries only when a ring was lost
            List<QueueName> slice = nextSweepSlice(owned()).stream().filter(q -> !hot.contains(q)).toList();
            return readNow(slice, free, false);
        }
        List<QueueName> hotReady = new ArrayList<>();
        for (QueueName queue : hot) {
            QueueWorker worker = queues.get(queue.value());
            if (worker != null && worker.groupReady()) {
                hotReady.add(queue);
            }
        }
        hot.clear();
        if (!hotReady.isEmpty()) {
            return readNow(hotReady, free, true);
        }
        return broker.waitForRings(shard, ringsAfter, pollTimeout).map(rings -> {
            ringsAfter = rings.lastId();
            rings.queues().forEach(q -> {
                if (queues.containsKey(q.value())) {
                    hot.add(q);
                } else {
                    newQueueRang.accept(q);
                }
            });
            return List.<Delivery>of();
        });
    }

    /**
     * The next {@value #SWEEP_SLICE} queues, round robin: a sweep reads a slice, not every stream,
     * so that with 10,000 queues it costs a fraction of a millisecond of Redis every poll timeout
     * rather than a 350 KB command; every queue is swept within queues / slice poll timeouts.
     */
    private List<QueueName> nextSweepSlice(List<QueueWorker> all) {
        List<QueueName> ready = all.stream().filter(QueueWorker::groupReady).map(QueueWorker::queue).toList();
        if (ready.size() <= SWEEP_SLICE) {
            return ready;
        }
        int from = Math.floorMod(sweepCursor, ready.size());
        sweepCursor = from + SWEEP_SLICE;
        List<QueueName> slice = new ArrayList<>(SWEEP_SLICE);
        for (int i = 0; i < SWEEP_SLICE; i++) {
            slice.add(ready.get((from + i) % ready.size()));
        }
        return slice;
    }

    /** Reads the queues without waiting; those that had entries stay hot, as they may have more. */
    /**
     * @param bounded read no more queues than there are slots (hot queues: each has work); a sweep
     *                reads its whole slice, whose queues are idle but for a lost ring
     */
    private Uni<List<Delivery>> readNow(List<QueueName> ready, int free, boolean bounded) {
        if (ready.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        reserved = slots.reserve(free);
        if (reserved == 0) {
            hot.addAll(ready); // other lanes took the free slots meanwhile: read these on a later turn
            return Uni.createFrom().item(List.of());
        }
        // COUNT is per stream and at least 1: with fewer slots than queues, read only as many queues
        // as there are slots (the rest stay hot, for the next turn), or a read over many busy queues
        // would take one job from each of them, past the concurrency
        List<QueueName> read = ready;
        if (bounded && ready.size() > reserved) {
            int from = Math.floorMod(readCursor, ready.size());
            readCursor = from + reserved;
            read = new ArrayList<>(reserved);
            for (int i = 0; i < ready.size(); i++) {
                QueueName queue = ready.get((from + i) % ready.size());
                if (i < reserved) {
                    read.add(queue);
                } else {
                    hot.add(queue);
                }
            }
        }
        return broker.readNow(read, consumer, Math.max(1, reserved / read.size()))
                .invoke(deliveries -> deliveries.forEach(d -> hot.add(d.queue())));
    }

    /** Creates the consumer group of every queue that joined (or lost its group) since the last check. */
    private Uni<Void> ensureGroups() {
        if (!groupsToCheck.getAndSet(false)) {
            return Uni.createFrom().voidItem();
        }
        List<QueueWorker> missing = owned().stream().filter(w -> !w.groupReady() && stillWanted.test(w.queue())).toList();
        if (missing.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(missing)
                .onItem().transformToUni(w -> broker.ensureGroup(w.queue()).invoke(() -> w.groupReady(true)))
                .merge(GROUP_CONCURRENCY)
                .collect().last().replaceWithVoid()
                .onFailure().invoke(() -> groupsToCheck.set(true)); // the ones not created are looked for again
    }

    private void received(List<Delivery> deliveries) {
        if (failuresInARow > 0) {
            EventLog.of(Event.WORKER_RESUMED).log(LOG, "worker reads again after " + failuresInARow + " failed reads");
            errors.runEnded();
        }
        failuresInARow = 0;
        Map<QueueName, List<Delivery>> byQueue = new LinkedHashMap<>();
        deliveries.forEach(d -> byQueue.computeIfAbsent(d.queue(), q -> new ArrayList<>()).add(d));
        byQueue.forEach((queue, batch) -> {
            QueueWorker worker = queues.get(queue.value());
            // a lane retired by a resharding still runs what its last read brought: only a process
            // that shuts down hands entries back (they would wait for the reclaimer otherwise)
            if (worker != null && processFetching.getAsBoolean()) {
                worker.dispatch(batch);
            } else if (worker != null) {
                worker.keepForHandBack(batch); // shutdown began while this read was blocked
            }
        });
        releaseReserved();
        readStartedAt = 0;
        reading.set(false);
        pump();
    }

    private void releaseReserved() {
        slots.release(reserved);
        reserved = 0;
    }

    private void readFailed(Throwable failure) {
        RedisErrorKind kind = RedisErrorKind.of(failure);
        redisMetrics.error(kind.label());
        if (String.valueOf(failure.getMessage()).contains("NOGROUP")) {
            groupVanished(failure);
        }
        failuresInARow++;
        errors.failed(READ, failure);
        long ceiling = Math.min(backoffMax.toMillis(), backoffMin.toMillis() << Math.min(failuresInARow, 16));
        long delay = Math.max(1, ThreadLocalRandom.current().nextLong(ceiling + 1));
        releaseReserved();
        readStartedAt = 0;
        vertx.setTimer(delay, id -> {
            reading.set(false);
            pump();
        });
    }

    /**
     * A stream or its group vanished: a failover to a replica that lacked it (recreate), or a
     * queue forgotten while idle (drop it, so the read does not recreate an empty stream). When
     * the error names no stream, every group is checked again.
     */
    private void groupVanished(Throwable failure) {
        slots.checkGroups(); // the queues flagged below may be other lanes' (an error that names no stream)
        var named = Broker.queueOfMissingGroup(failure);
        if (named.isEmpty()) {
            queues.values().forEach(w -> w.groupReady(false));
            return;
        }
        QueueWorker worker = queues.get(named.get().value());
        if (worker != null) {
            worker.groupReady(false); // recreated only while still wanted; discovery drops the rest
        }
    }
}

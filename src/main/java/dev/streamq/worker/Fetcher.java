package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import dev.streamq.metrics.RedisMetrics;
import dev.streamq.queue.Broker;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.Shards;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * This process's reading of every consumed queue: one {@link FetchLane} per Redis shard (one in
 * all without Cluster), sharing the process's job slots. Lanes follow the slot map: a shard
 * that appears gets a lane, the lane of a shard that is gone stops after its read.
 */
final class Fetcher {

    private final Map<String, QueueWorker> queues;
    private final String consumer;
    private final Broker broker;
    private final Shards shards;
    private final RedisMetrics redisMetrics;
    private final Vertx vertx;
    private final StreamqConfig config;
    private final Predicate<QueueName> stillWanted;
    private final Consumer<QueueName> newQueueRang;
    private final int concurrency;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Slots held by outstanding reads: a read may bring that many entries. */
    private final AtomicInteger reserved = new AtomicInteger();
    /** By the shard's first slot, the name that survives a failover. */
    private final Map<Integer, FetchLane> lanes = new ConcurrentHashMap<>();
    private volatile boolean fetching;
    private final AtomicInteger wakeCursor = new AtomicInteger();

    Fetcher(Map<String, QueueWorker> queues, String consumer, Broker broker, Shards shards, RedisMetrics redisMetrics,
            Vertx vertx, StreamqConfig config, Predicate<QueueName> stillWanted, Consumer<QueueName> newQueueRang) {
        this.queues = queues;
        this.consumer = consumer;
        this.broker = broker;
        this.shards = shards;
        this.redisMetrics = redisMetrics;
        this.vertx = vertx;
        this.config = config;
        this.stillWanted = stillWanted;
        this.newQueueRang = newQueueRang;
        this.concurrency = config.worker().concurrency();
    }

    void start() {
        fetching = true;
        followShards();
        wake();
    }

    /** False once the process shuts down: entries read after that are handed back. */
    boolean fetching() {
        return fetching;
    }

    void stopFetching() {
        fetching = false;
        lanes.values().forEach(FetchLane::stopFetching);
    }

    /** Lets each lane read if it can (after every finished job); safe from any thread. */
    void wake() {
        // each time from the next lane on: the first woken takes the free slots first, and a fixed
        // order made the last shard's jobs wait longest under load (the cluster bench saw it)
        List<FetchLane> all = List.copyOf(lanes.values());
        int from = Math.floorMod(wakeCursor.getAndIncrement(), Math.max(1, all.size()));
        for (int i = 0; i < all.size(); i++) {
            all.get((from + i) % all.size()).wake();
        }
    }

    /**
     * Brings the lanes in step with the slot map: a lane for a shard that appeared, none for one
     * that is gone. Every discovery tick (the map itself is read every second), not per job.
     */
    synchronized void followShards() {
        if (!fetching) {
            return;
        }
        Map<Integer, Shards.Shard> now = new HashMap<>();
        shards.all().forEach(s -> now.put(s.firstSlot(), s));
        lanes.entrySet().removeIf(lane -> {
            boolean gone = !now.containsKey(lane.getKey());
            if (gone) {
                lane.getValue().stopFetching();
            }
            return gone;
        });
        now.forEach((first, shard) -> lanes.computeIfAbsent(first, f -> {
            FetchLane lane = new FetchLane(shard, () -> shardStartingAt(first), this, queues, consumer,
                    broker, redisMetrics, vertx, config, stillWanted, newQueueRang);
            lane.start();
            return lane;
        }));
        // The discovery tick's backstop (every 5 s, not every turn): a queue whose join or NOGROUP
        // no lane saw (a join racing a lane's start, a queue consumed before it was wanted) gets
        // its group now.
        checkGroups();
    }

    /** The shard of the slot map of the moment whose slots start at {@code first}; null once none does. */
    private Shards.Shard shardStartingAt(int first) {
        for (Shards.Shard shard : shards.all()) {
            if (shard.firstSlot() == first) {
                return shard;
            }
        }
        return null;
    }

    /** A queue that starts being consumed: its shard's lane reads it on its next turn. */
    void joined(QueueName queue) {
        FetchLane lane = lanes.get(shards.of(queue.ready()).firstSlot());
        if (lane != null) {
            lane.joined(queue);
        }
        // every lane looks for the new queue's group: the one that owns its slot may not be the
        // one named here (a slot no master serves yet, a resharding, a lane not yet listed)
        checkGroups();
    }

    /** Every lane looks for queues without their consumer group on its next turn. */
    void checkGroups() {
        lanes.values().forEach(FetchLane::checkGroups);
    }

    int freeSlots() {
        return Math.max(0, concurrency - inFlight.get() - reserved.get());
    }

    /**
     * Holds up to {@code wanted} free slots for one read; how many it got (0 when other lanes
     * hold them). One read holds at most a lane's fair share of the concurrency: a lane whose
     * shard hangs holds its slots until the read's deadline, again and again, and must not
     * starve the lanes of the shards that work (found by ClusterShardDownTest).
     */
    int reserve(int wanted) {
        int share = Math.max(1, (concurrency + lanes.size() - 1) / Math.max(1, lanes.size()));
        while (true) {
            int held = reserved.get();
            int grant = Math.min(Math.min(wanted, share), concurrency - inFlight.get() - held);
            if (grant <= 0) {
                return 0;
            }
            if (reserved.compareAndSet(held, held + grant)) {
                return grant;
            }
        }
    }

    void release(int slots) {
        if (slots > 0) {
            reserved.addAndGet(-slots);
        }
    }

    int inFlightCount() {
        return inFlight.get();
    }

    /** The counter every {@link QueueWorker} of this process keeps up to date. */
    AtomicInteger inFlightCounter() {
        return inFlight;
    }

    /** When the oldest outstanding read of any lane started, 0 when none is. */
    long readStartedAt() {
        long oldest = 0;
        for (FetchLane lane : lanes.values()) {
            long at = lane.readStartedAt();
            if (at != 0 && (oldest == 0 || at < oldest)) {
                oldest = at;
            }
        }
        return oldest;
    }

    /** True while any lane's read (or the back-off after a failed one) is outstanding. */
    boolean reading() {
        return lanes.values().stream().anyMatch(FetchLane::reading);
    }
}

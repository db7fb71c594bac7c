package dev.streamq.worker;

import dev.streamq.queue.Delivery;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.Shards;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One consumed queue in this process: its deliveries in flight (leased, handed back at
 * shutdown) and whether its consumer group is known to exist. Reading is the {@link Fetcher}'s
 * job, for all queues at once.
 */
final class QueueWorker {

    private final QueueName queue;
    /** The queue's Redis Cluster slot (every key of a queue is in it), asked on every read: computed once. */
    private final int slot;
    private final String consumer;
    private final JobRunner runner;
    private final Runnable slotFreed;
    /** The process's running total, shared by all queues: free slots are asked per read and per reclaim. */
    private final AtomicInteger processInFlight;

    private final Map<String, Delivery> inFlight = new ConcurrentHashMap<>();
    /** Entries a read returned after shutdown began: never started, to be handed back. */
    private final List<Delivery> notStarted = new CopyOnWriteArrayList<>();
    private volatile boolean groupReady;

    QueueWorker(QueueName queue, String consumer, JobRunner runner, AtomicInteger processInFlight, Runnable slotFreed) {
        this.queue = queue;
        this.slot = Shards.slotOf(queue.ready());
        this.consumer = consumer;
        this.runner = runner;
        this.processInFlight = processInFlight;
        this.slotFreed = slotFreed;
    }

    int slot() {
        return slot;
    }

    QueueName queue() {
        return queue;
    }

    String consumer() {
        return consumer;
    }

    boolean groupReady() {
        return groupReady;
    }

    void groupReady(boolean ready) {
        groupReady = ready;
    }

    int inFlightCount() {
        return inFlight.size();
    }

    List<Delivery> inFlight() {
        return new ArrayList<>(inFlight.values());
    }

    void keepForHandBack(List<Delivery> deliveries) {
        notStarted.addAll(deliveries);
    }

    /**
     * Takes what shutdown must hand back: deliveries still running and those read but never
     * started. Each is taken once, so a second hand-back round does not repeat the first.
     */
    List<Delivery> takeUnfinished() {
        List<Delivery> all = new ArrayList<>();
        inFlight.forEach((entryId, d) -> {
            if (inFlight.remove(entryId, d)) {
                processInFlight.decrementAndGet();
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

    /** Runs deliveries of this queue (read, or reclaimed from a dead consumer): one start call for all, then each handler. */
    void dispatch(List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        deliveries.forEach(d -> {
            if (inFlight.put(d.entryId(), d) == null) {
                processInFlight.incrementAndGet();
            }
        });
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
        if (inFlight.remove(delivery.entryId()) != null) {
            processInFlight.decrementAndGet();
        }
        slotFreed.run();
    }
}

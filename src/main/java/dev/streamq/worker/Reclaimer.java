package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.JobMetrics;
import dev.streamq.queue.Broker;
import dev.streamq.queue.DeadReason;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.Reclaimed;
import dev.streamq.redis.Shards;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * Takes over entries left pending longer than the visibility timeout: their worker died,
 * hung, or lost its acknowledgement in a Redis failover. Claims only as many as the process
 * has free slots, and runs them there. Poison entries are dead-lettered by the script.
 */
@ApplicationScoped
class Reclaimer {

    private static final Logger LOG = Logger.getLogger(Reclaimer.class);
    private static final int PIPELINE = 500;

    private final Broker broker;
    private final JobMetrics metrics;
    private final Duration visibilityTimeout;
    private final Shards shards;

    Reclaimer(Broker broker, JobMetrics metrics, StreamqConfig config, Shards shards) {
        this.shards = shards;
        this.broker = broker;
        this.metrics = metrics;
        this.visibilityTimeout = config.worker().visibilityTimeout();
    }

    /**
     * Runs the reclaim script on the queues whose ready stream holds any entry (an empty stream
     * has nothing pending), found with one pipelined XLEN per {@value #PIPELINE} queues: with
     * thousands of mostly idle queues a script for each would be most of the work.
     *
     * @param freeSlots the process's free job slots, asked before each queue: claims fill them
     */
    Uni<Void> reclaim(Collection<QueueWorker> workers, IntSupplier freeSlots) {
        return shards.eachShard(workers, w -> w.queue().ready(), share -> reclaimShare(share, freeSlots));
    }

    /** One shard's share: a shard in failover holds only its own queues' reclaim. */
    private Uni<Void> reclaimShare(List<QueueWorker> workers, IntSupplier freeSlots) {
        return Multi.createFrom().iterable(workers).group().intoLists().of(PIPELINE)
                .onItem().transformToUniAndConcatenate(chunk -> broker.lengths(chunk.stream().map(QueueWorker::queue).toList())
                        .chain(lengths -> Multi.createFrom().range(0, chunk.size())
                                .filter(i -> lengths.get(i) > 0)
                                .onItem().transformToUniAndConcatenate(i -> reclaim(chunk.get(i), freeSlots.getAsInt()))
                                .collect().last()))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> reclaim(QueueWorker worker, int free) {
        if (free == 0) {
            return Uni.createFrom().voidItem();
        }
        String queue = worker.queue().value();
        return broker.reclaim(worker.queue(), worker.consumer(), visibilityTimeout, free)
                .invoke(reclaimed -> {
                    if (!reclaimed.claimed().isEmpty()) {
                        metrics.reclaimed(queue, reclaimed.claimed().size());
                    }
                    for (Reclaimed.Claim claim : reclaimed.claimed()) {
                        Delivery d = claim.delivery();
                        EventLog.of(Event.JOB_RECLAIMED).queue(queue).jobId(d.jobId()).attempt(claim.abandonedAttempt())
                                .log(LOG, "took over entry " + d.entryId() + " pending longer than "
                                        + visibilityTimeout.toSeconds() + " s");
                    }
                    worker.dispatch(reclaimed.deliveries());
                    for (Reclaimed.Poisoned poisoned : reclaimed.poisoned()) {
                        metrics.deadLettered(queue, DeadReason.POISON.label());
                        EventLog.of(Event.JOB_DEAD_LETTERED).queue(queue).jobId(poisoned.jobId())
                                .attempt(poisoned.lastAttempt()).reason(DeadReason.POISON.label())
                                .log(LOG, "job dead-lettered: " + DeadReason.POISON.label()
                                        + " (delivered too many times without finishing)");
                    }
                })
                .replaceWithVoid();
    }
}

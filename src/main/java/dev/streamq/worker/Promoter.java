package dev.streamq.worker;

import dev.streamq.queue.Broker;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.Shards;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Moves due jobs (scheduled ones, and retries whose backoff ran out) to their ready stream.
 * Safe on every worker at once. Each tick promotes the queues {@link DueTimes} says have a job
 * due and looks again at what remains in them; a sweep of every consumed queue's delayed set
 * (one pipelined peek per 500 queues) learns of jobs scheduled by other processes.
 */
@ApplicationScoped
class Promoter {

    private static final int BATCH = 500;
    private static final int SWEEP_PIPELINE = 500;

    private final Broker broker;
    private final DueTimes due;
    private final Shards shards;

    Promoter(Broker broker, DueTimes due, Shards shards) {
        this.broker = broker;
        this.due = due;
        this.shards = shards;
    }

    /**
     * Promotes what is due among {@code consumed}, then looks again at those queues; when all
     * consumed queues fit in one pipeline, at all of them, so a job another process scheduled
     * is seen within one tick. With more queues the full sweep is the discovery's.
     */
    Uni<Void> promoteDue(List<QueueName> consumed) {
        List<QueueName> queues = due.takeDue(System.currentTimeMillis());
        Set<QueueName> dueNow = Set.copyOf(queues);
        Set<QueueName> look = Set.copyOf(consumed.size() <= SWEEP_PIPELINE ? consumed : queues);
        Set<QueueName> both = new LinkedHashSet<>(queues);
        both.addAll(look);
        // per shard: promote its due queues, then look at its share again; a shard in failover holds only its own
        return shards.eachShard(both, QueueName::ready, share -> Multi.createFrom()
                .iterable(share.stream().filter(dueNow::contains).toList())
                .onItem().transformToUniAndConcatenate(this::promoteAllDue)
                .collect().last()
                .chain(() -> peek(share.stream().filter(look::contains).toList())));
    }

    /** Peeks at the earliest due time of every given queue, each shard apart. */
    Uni<Void> sweep(List<QueueName> queues) {
        return shards.eachShard(queues, QueueName::ready, this::peek);
    }

    /** {@value #SWEEP_PIPELINE} queues per round trip. */
    private Uni<Void> peek(List<QueueName> queues) {
        return Multi.createFrom().iterable(queues).group().intoLists().of(SWEEP_PIPELINE)
                .onItem().transformToUniAndConcatenate(chunk -> broker.nextDue(chunk).invoke(due::observed))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> promoteAllDue(QueueName queue) {
        return broker.promote(queue, BATCH)
                .chain(moved -> moved == BATCH ? promoteAllDue(queue) : Uni.createFrom().voidItem());
    }
}

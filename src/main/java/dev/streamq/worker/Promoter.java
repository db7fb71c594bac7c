package dev.streamq.worker;

import dev.streamq.queue.Broker;
import dev.streamq.queue.QueueName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

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

    Promoter(Broker broker, DueTimes due) {
        this.broker = broker;
        this.due = due;
    }

    /**
     * Promotes what is due among {@code consumed}, then looks again at those queues; when all
     * consumed queues fit in one pipeline, at all of them, so a job another process scheduled
     * is seen within one tick. With more queues the full sweep is the discovery's.
     */
    Uni<Void> promoteDue(List<QueueName> consumed) {
        List<QueueName> queues = due.takeDue(System.currentTimeMillis());
        return Multi.createFrom().iterable(queues)
                .onItem().transformToUniAndConcatenate(this::promoteAllDue)
                .collect().last()
                .chain(() -> sweep(consumed.size() <= SWEEP_PIPELINE ? consumed : queues));
    }

    /** Peeks at the earliest due time of every given queue, {@value #SWEEP_PIPELINE} per round trip. */
    Uni<Void> sweep(List<QueueName> queues) {
        return Multi.createFrom().iterable(queues).group().intoLists().of(SWEEP_PIPELINE)
                .onItem().transformToUniAndConcatenate(chunk -> broker.nextDue(chunk).invoke(due::observed))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> promoteAllDue(QueueName queue) {
        return broker.promote(queue, BATCH)
                .chain(moved -> moved == BATCH ? promoteAllDue(queue) : Uni.createFrom().voidItem());
    }
}

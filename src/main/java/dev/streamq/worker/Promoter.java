package dev.streamq.worker;

import dev.streamq.queue.Broker;
import dev.streamq.queue.QueueName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;

/** Moves due jobs (scheduled ones, and retries whose backoff ran out) to their ready stream. Safe on every worker at once. */
@ApplicationScoped
class Promoter {

    private static final int BATCH = 500;

    private final Broker broker;

    Promoter(Broker broker) {
        this.broker = broker;
    }

    Uni<Void> promote(Collection<QueueName> queues) {
        return Multi.createFrom().iterable(queues)
                .onItem().transformToUniAndConcatenate(this::promoteAllDue)
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> promoteAllDue(QueueName queue) {
        return broker.promote(queue, BATCH)
                .chain(moved -> moved == BATCH ? promoteAllDue(queue) : Uni.createFrom().voidItem());
    }
}

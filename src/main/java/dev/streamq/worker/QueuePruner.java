package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.queue.Broker;
import dev.streamq.queue.QueueName;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Forgets idle queues: one with nothing waiting, running, scheduled or dead that took no job
 * for {@code streamq.queues.forget-after} leaves the registry and its empty keys are deleted,
 * so queues created once and abandoned (or by a careless client) stop costing every worker a
 * stream in its read, and a restart does not bring them back. Safe on every worker at once.
 */
@ApplicationScoped
class QueuePruner {

    private static final Logger LOG = Logger.getLogger(QueuePruner.class);

    private final Broker broker;
    private final Duration idle;

    QueuePruner(Broker broker, StreamqConfig config) {
        this.broker = broker;
        this.idle = config.queues().forgetAfter();
    }

    Uni<Void> prune() {
        return broker.queues()
                .onItem().transformToMulti(queues -> Multi.createFrom().iterable(queues))
                .onItem().transformToUniAndConcatenate(this::forgetIfIdle)
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> forgetIfIdle(QueueName queue) {
        return broker.forgetIfIdle(queue, idle).invoke(forgotten -> {
            if (forgotten) {
                EventLog.of(Event.QUEUE_FORGOTTEN).queue(queue.value()).log(LOG,
                        "queue " + queue.value() + " was idle for " + idle + ": it left the registry");
            }
        }).replaceWithVoid();
    }
}

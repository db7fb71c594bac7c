package dev.streamq.worker;

import dev.streamq.queue.Broker;
import dev.streamq.queue.Delivery;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;

/**
 * Keeps long jobs from being reclaimed while they still run: every lease interval it
 * resets the idle time of this process's in-flight entries. A dead process stops renewing,
 * so its entries age past the visibility timeout and are taken over.
 */
@ApplicationScoped
class LeaseKeeper {

    private final Broker broker;

    LeaseKeeper(Broker broker) {
        this.broker = broker;
    }

    Uni<Void> renew(Collection<QueueWorker> workers) {
        // only the queues with something in flight: with thousands of queues most have nothing to renew
        return Multi.createFrom().iterable(workers.stream().filter(w -> w.inFlightCount() > 0).toList())
                .onItem().transformToUniAndConcatenate(worker -> broker.extendLeases(worker.queue(), worker.consumer(),
                        worker.inFlight().stream().map(Delivery::entryId).toList()))
                .collect().last().replaceWithVoid();
    }
}

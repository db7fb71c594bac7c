package dev.streamq.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import dev.streamq.queue.Enqueued;

/** The answer to a submission; {@code replayed} says an earlier submission with the same key made this job. */
@RegisterForReflection
public record JobAccepted(String id, String queue, String state, boolean replayed) {

    static JobAccepted of(Enqueued e) {
        return new JobAccepted(e.id(), e.queue().value(), e.state(), e.replayed());
    }
}

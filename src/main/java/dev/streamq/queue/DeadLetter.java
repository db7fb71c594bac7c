package dev.streamq.queue;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One entry of a queue's dead-letter stream. */
@RegisterForReflection
public record DeadLetter(String entryId, String jobId, String reason, String error) {}

package dev.streamq.queue;

/** The answer to one submission: the job's id and state, and whether an earlier submission with the same idempotency key made it. */
public record Enqueued(String id, QueueName queue, String state, boolean replayed) {}

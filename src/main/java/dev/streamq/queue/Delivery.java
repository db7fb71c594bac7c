package dev.streamq.queue;

/** One stream entry handed to this worker: which job, under which entry id. */
public record Delivery(QueueName queue, String entryId, String jobId) {}

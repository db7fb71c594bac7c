package dev.streamq.queue;

/** One entry of a queue's dead-letter stream. */
public record DeadLetter(String entryId, String jobId, String reason, String error) {}

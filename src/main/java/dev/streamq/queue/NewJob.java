package dev.streamq.queue;

/**
 * A validated job submission.
 *
 * @param payload the payload as JSON text
 * @param runAtMillis epoch ms at which the job may run; 0 for now
 * @param idempotencyKey null when the producer sent none
 */
public record NewJob(String type, String payload, int maxAttempts, long runAtMillis, String idempotencyKey) {}

package dev.streamq.queue;

/**
 * A delivery that start.lua let run: the job's data and the number of this attempt (1-based).
 *
 * @param trace the trace context the job was submitted in ({@link TraceHeaders#NONE} for none)
 */
public record Attempt(Delivery delivery, int number, int maxAttempts, String type, String payload, long createdAt,
        TraceHeaders trace) {}

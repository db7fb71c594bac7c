package dev.streamq.queue;

/**
 * Depth of one queue. ready = waiting for a worker (the consumer-group lag), pending =
 * delivered and not yet acknowledged, delayed = scheduled or waiting out a retry backoff.
 */
public record QueueDepth(String queue, long ready, long pending, long delayed, long dead, long lag, long consumers) {}

package dev.streamq.queue;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Depth of one queue. ready = waiting for a worker (the consumer-group lag), pending =
 * delivered and not yet acknowledged, delayed = scheduled or waiting out a retry backoff.
 */
@RegisterForReflection
public record QueueDepth(String queue, long ready, long pending, long delayed, long dead, long lag, long consumers) {}

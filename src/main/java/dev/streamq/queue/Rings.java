package dev.streamq.queue;

import java.util.Set;

/** What one wait on the doorbell brought: the queues that got work, and the entry id to wait after next. */
public record Rings(Set<QueueName> queues, String lastId) {}

package dev.streamq.queue;

import java.util.List;

/** What one reclaim pass took over (to run here) and dead-lettered as poison. */
public record Reclaimed(List<Delivery> claimed, List<String> poisoned) {}

package dev.streamq.queue;

import java.util.List;

/** What one reclaim pass took over (to run here) and dead-lettered as poison. */
public record Reclaimed(List<Claim> claimed, List<Poisoned> poisoned) {

    /** An entry taken over, and the attempt its last consumer abandoned (0: it never started it). */
    public record Claim(Delivery delivery, int abandonedAttempt) {}

    /** A job dead-lettered as poison, and the last attempt a consumer started (0: none). */
    public record Poisoned(String jobId, int lastAttempt) {}

    public List<Delivery> deliveries() {
        return claimed.stream().map(Claim::delivery).toList();
    }
}

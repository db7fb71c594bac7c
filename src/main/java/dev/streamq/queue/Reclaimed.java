package dev.streamq.queue;

import java.util.List;

/** What one reclaim pass took over (to run here) and dead-lettered as poison. */
public record Reclaimed(List<Claim> claimed, List<String> poisoned) {

    /** An entry taken over, and the attempt its last consumer abandoned (0: it never started it). */
    public record Claim(Delivery delivery, int abandonedAttempt) {}

    public List<Delivery> deliveries() {
        return claimed.stream().map(Claim::delivery).toList();
    }
}

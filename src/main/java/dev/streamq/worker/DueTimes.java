package dev.streamq.worker;

import dev.streamq.queue.QueueName;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each consumed queue next has a delayed job due, as far as this process knows: learned
 * from the promoter's sweep of the delayed sets and from this process's own retries. The
 * promoter then runs its script only for queues with something due, not for every queue at
 * every tick (10,000 queues at 4 ticks a second would be 40,000 scripts a second).
 */
@ApplicationScoped
class DueTimes {

    private final Map<QueueName, Long> next = new ConcurrentHashMap<>();

    /** A job of this queue becomes due at {@code atMillis}. */
    void expect(QueueName queue, long atMillis) {
        next.merge(queue, atMillis, Math::min);
    }

    /** What a sweep of the delayed sets found: replaces what was known of those queues. */
    void observed(List<QueueName> swept, Map<QueueName, Long> due) {
        swept.forEach(q -> {
            Long at = due.get(q);
            if (at == null) {
                next.remove(q);
            } else {
                next.put(q, at);
            }
        });
    }

    /** The queues with a job due now; each is forgotten until a sweep or a retry says otherwise. */
    List<QueueName> takeDue(long nowMillis) {
        List<QueueName> due = new ArrayList<>();
        next.forEach((queue, at) -> {
            if (at <= nowMillis && next.remove(queue, at)) {
                due.add(queue);
            }
        });
        return due;
    }

    void forget(QueueName queue) {
        next.remove(queue);
    }
}

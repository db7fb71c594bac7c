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

    /**
     * What a sweep of the delayed sets found. It only adds: a retry noted while the sweep's reply
     * was on its way must not be wiped by it (that cost a tick, 250 ms, of retry delay). A due time
     * that turns out stale (another worker promoted the job) costs one promote call that moves nothing.
     */
    void observed(Map<QueueName, Long> due) {
        due.forEach((queue, at) -> next.merge(queue, at, Math::min));
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

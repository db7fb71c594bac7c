package dev.streamq.api;

import dev.streamq.config.StreamqConfig;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Enqueued;
import dev.streamq.queue.IdempotencyConflictException;
import dev.streamq.queue.NewJob;
import dev.streamq.queue.QueueName;
import dev.streamq.queue.TraceHeaders;
import dev.streamq.redis.GroupedCalls;
import dev.streamq.redis.GroupedCalls.Member;
import dev.streamq.redis.RedisCalls;
import dev.streamq.redis.RedisOperation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit of single submits: while one enqueue of a queue is in flight, the single submits
 * that arrive for that queue wait, and go together as one script call and one WAIT when it
 * returns (at most {@code streamq.api.group-commit-max-jobs}). Nothing waits when the queue is
 * idle: the first submit goes at once. Redis does one script and one WAIT per group instead of
 * per job, which is what bounds single submits under concurrency.
 *
 * <p>Each request keeps its own answer: its own id, its own replay (a key seen earlier in the
 * group or before it), and its own error. A key reused for another request fails only its own
 * request: the script writes nothing on a conflict, names the job, and the group is sent again
 * without it. A Redis failure (503) fails the group, whose members were one call. The grouping
 * itself (one call in flight per queue, each member resumed on its own request's context) is
 * {@link GroupedCalls}, shared with the worker's completions.
 */
@ApplicationScoped
public class GroupCommit {

    private final Broker broker;
    private final RedisCalls redis;
    private final int maxJobs;
    private final GroupedCalls<QueueName, Submit, Enqueued> groups;

    GroupCommit(Broker broker, RedisCalls redis, StreamqConfig config) {
        this.broker = broker;
        this.redis = redis;
        this.maxJobs = config.api().groupCommitMaxJobs();
        this.groups = new GroupedCalls<>(maxJobs, this::write);
    }

    /** Whether single submits are grouped (group-commit-max-jobs above 1). */
    boolean enabled() {
        return maxJobs > 1;
    }

    /**
     * Enqueues one job with its id (fixed by the caller before the first try) and its request's
     * trace context in the queue's next group.
     */
    Uni<Enqueued> submit(QueueName queue, NewJob job, String id, TraceHeaders trace) {
        return groups.offer(queue, new Submit(job, id, trace));
    }

    /** One waiting submit. */
    private record Submit(NewJob job, String id, TraceHeaders trace) {
    }

    private Uni<Void> write(QueueName queue, List<Member<Submit, Enqueued>> group) {
        if (group.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<NewJob> jobs = group.stream().map(m -> m.item().job()).toList();
        List<String> ids = group.stream().map(m -> m.item().id()).toList();
        List<TraceHeaders> traces = group.stream().map(m -> m.item().trace()).toList();
        return redis.<List<Enqueued>>call(RedisOperation.ENQUEUE, () -> broker.enqueue(queue, jobs, ids, traces))
                .map(enqueued -> {
                    for (int i = 0; i < group.size(); i++) {
                        group.get(i).complete(enqueued.get(i));
                    }
                    return (Void) null;
                })
                .onFailure().recoverWithUni(failure -> {
                    if (failure instanceof IdempotencyConflictException conflict) {
                        // nothing was written: the offender gets its 422, the others go again
                        List<Member<Submit, Enqueued>> rest = new ArrayList<>(group);
                        rest.remove(conflict.jobIndex()).fail(new IdempotencyConflictException(0));
                        return write(queue, rest);
                    }
                    group.forEach(m -> m.fail(failure));
                    return Uni.createFrom().voidItem();
                });
    }
}

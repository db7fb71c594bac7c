package dev.streamq.api;

import dev.streamq.config.StreamqConfig;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Enqueued;
import dev.streamq.queue.IdempotencyConflictException;
import dev.streamq.queue.NewJob;
import dev.streamq.queue.QueueName;
import dev.streamq.queue.TraceHeaders;
import dev.streamq.redis.RedisCalls;
import dev.streamq.redis.RedisOperation;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

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
 * without it. A Redis failure (503) fails the group, whose members were one call.
 */
@ApplicationScoped
public class GroupCommit {

    private final Broker broker;
    private final RedisCalls redis;
    private final int maxJobs;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    GroupCommit(Broker broker, RedisCalls redis, StreamqConfig config) {
        this.broker = broker;
        this.redis = redis;
        this.maxJobs = config.api().groupCommitMaxJobs();
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
        return Uni.createFrom().emitter(emitter -> lanes.computeIfAbsent(queue.value(), q -> new Lane(queue))
                .offer(new Pending(job, id, trace, emitter, Vertx.currentContext())));
    }

    /**
     * One waiting submit. {@code origin} is its request's Vert.x context: the group's reply
     * arrives on the context of whichever request sent the group, and each request resumes on
     * its own (its context-locals hold its OpenTelemetry span; finishing it on another
     * request's context left that span current on the event loop thread for later work).
     */
    private record Pending(NewJob job, String id, TraceHeaders trace, UniEmitter<? super Enqueued> answer, Context origin) {

        void complete(Enqueued enqueued) {
            resume(() -> answer.complete(enqueued));
        }

        void fail(Throwable failure) {
            resume(() -> answer.fail(failure));
        }

        private void resume(Runnable done) {
            if (origin == null || origin == Vertx.currentContext()) {
                done.run();
            } else {
                origin.runOnContext(ignored -> done.run());
            }
        }
    }

    /** One queue's waiting submits and whether its group is in flight. */
    private final class Lane {

        private final QueueName queue;
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private boolean inFlight;

        Lane(QueueName queue) {
            this.queue = queue;
        }

        void offer(Pending pending) {
            synchronized (this) {
                waiting.add(pending);
                if (inFlight) {
                    return;
                }
                inFlight = true;
            }
            sendNext();
        }

        /** Sends what waits, up to the maximum; when nothing waits, the lane is idle again. */
        private void sendNext() {
            List<Pending> group;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    inFlight = false;
                    // an idle queue holds no lane (bounded state); a submit racing this removal
                    // still works on this lane, and the next one makes a new lane
                    lanes.remove(queue.value(), this);
                    return;
                }
                group = new ArrayList<>(Math.min(waiting.size(), maxJobs));
                while (!waiting.isEmpty() && group.size() < maxJobs) {
                    group.add(waiting.poll());
                }
            }
            write(group).subscribe().with(done -> sendNext(), failure -> sendNext());
        }

        private Uni<Void> write(List<Pending> group) {
            if (group.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<NewJob> jobs = group.stream().map(Pending::job).toList();
            List<String> ids = group.stream().map(Pending::id).toList();
            List<TraceHeaders> traces = group.stream().map(Pending::trace).toList();
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
                            List<Pending> rest = new ArrayList<>(group);
                            rest.remove(conflict.jobIndex()).fail(new IdempotencyConflictException(0));
                            return write(rest);
                        }
                        group.forEach(p -> p.fail(failure));
                        return Uni.createFrom().voidItem();
                    });
        }
    }
}

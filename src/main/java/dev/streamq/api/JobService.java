package dev.streamq.api;

import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.JobMetrics;
import dev.streamq.queue.Broker;
import dev.streamq.queue.DeadLetter;
import dev.streamq.queue.Enqueued;
import dev.streamq.queue.Job;
import dev.streamq.queue.JobId;
import dev.streamq.queue.NewJob;
import dev.streamq.queue.QueueName;
import dev.streamq.queue.TraceHeaders;
import dev.streamq.redis.RedisCalls;
import dev.streamq.redis.RedisOperation;
import dev.streamq.trace.JobTracing;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/** The producer side: submit, read and redrive jobs, surviving Redis failovers within the API's retry budget. */
@ApplicationScoped
public class JobService {

    private static final Logger LOG = Logger.getLogger(JobService.class);
    private static final int REDRIVE_PAGE = 500;

    private final Broker broker;
    private final RedisCalls redis;
    private final JobMetrics metrics;
    private final JobTracing tracing;
    private final GroupCommit groupCommit;

    JobService(Broker broker, RedisCalls redis, JobMetrics metrics, JobTracing tracing, GroupCommit groupCommit) {
        this.broker = broker;
        this.redis = redis;
        this.metrics = metrics;
        this.tracing = tracing;
        this.groupCommit = groupCommit;
    }

    /** Called on the request's thread: the request's span is current here, and its context goes with the jobs. */
    public Uni<List<Enqueued>> submit(QueueName queue, List<NewJob> jobs) {
        // Ids are fixed before the first try, so a retry after a lost answer finds the jobs instead of doubling them.
        List<String> ids = IntStream.range(0, jobs.size()).mapToObj(i -> JobId.next(queue)).toList();
        SpanContext span = tracing.current();
        TraceHeaders trace = tracing.headers(span);
        Uni<List<Enqueued>> written = jobs.size() == 1 && groupCommit.enabled()
                ? groupCommit.submit(queue, jobs.get(0), ids.get(0), trace).map(List::of)
                : redis.call(RedisOperation.ENQUEUE, () -> broker.enqueue(queue, jobs, ids, Collections.nCopies(jobs.size(), trace)));
        return written
                .invoke(accepted -> {
                    int fresh = (int) accepted.stream().filter(e -> !e.replayed()).count();
                    if (fresh > 0) {
                        metrics.enqueued(queue.value(), fresh);
                    }
                    if (accepted.size() == 1) {
                        Enqueued e = accepted.get(0);
                        EventLog.of(e.replayed() ? Event.JOB_REPLAYED : Event.JOB_ENQUEUED).queue(queue.value()).jobId(e.id())
                                .trace(span).log(LOG, (e.replayed() ? "idempotent replay of job, state " : "job accepted, state ") + e.state());
                    } else {
                        EventLog.of(Event.BATCH_ENQUEUED).queue(queue.value()).trace(span)
                                .log(LOG, "batch of " + accepted.size() + " accepted, " + fresh + " new");
                    }
                });
    }

    public Uni<Optional<Job>> find(String id) {
        return redis.call(RedisOperation.FIND, () -> broker.find(id));
    }

    /**
     * Redrives one dead job; empty when there is no such job, false when it is not dead. The
     * script does the state check, so the common case is one round trip; the job is read only
     * to tell "no such job" from "not dead".
     */
    public Uni<Optional<Boolean>> redrive(String id) {
        Optional<QueueName> queue = JobId.queueOf(id);
        if (queue.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return redis.call(RedisOperation.REDRIVE, () -> broker.redrive(queue.get(), List.of(id)))
                .chain(n -> {
                    if (n > 0) {
                        metrics.redriven(queue.get().value(), n);
                        return Uni.createFrom().item(Optional.of(true));
                    }
                    return find(id).map(job -> job.map(j -> false));
                });
    }

    /** One page of a queue's dead letters, oldest first, after the entry {@code after} (null: from the start). */
    public Uni<List<DeadLetter>> deadLetters(QueueName queue, String after, int limit) {
        return redis.call(RedisOperation.DEAD_LETTERS, () -> broker.deadLetters(queue, after, limit));
    }

    /**
     * Redrives every job that is dead when the call starts, a page at a time, and says how
     * many went back to ready. Jobs that die again meanwhile get newer entries past the
     * starting point, so a job that fails at once cannot keep the call going forever.
     */
    public Uni<Long> redriveAll(QueueName queue) {
        return redis.call(RedisOperation.REDRIVE, () -> broker.lastDeadLetter(queue))
                .chain(until -> until == null ? Uni.createFrom().item(0L) : redriveFrom(queue, null, until, 0L));
    }

    private Uni<Long> redriveFrom(QueueName queue, String after, String until, long sofar) {
        return redis.call(RedisOperation.REDRIVE, () -> broker.deadLetters(queue, after, until, REDRIVE_PAGE))
                .chain(page -> {
                    if (page.isEmpty()) {
                        return Uni.createFrom().item(sofar);
                    }
                    List<String> ids = new ArrayList<>(page.size());
                    page.forEach(d -> ids.add(d.jobId()));
                    String last = page.get(page.size() - 1).entryId();
                    return redis.call(RedisOperation.REDRIVE, () -> broker.redrive(queue, ids))
                            .invoke(n -> metrics.redriven(queue.value(), n))
                            .chain(n -> redriveFrom(queue, last, until, sofar + n));
                });
    }
}

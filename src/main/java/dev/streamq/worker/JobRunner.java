package dev.streamq.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.config.StreamqConfig;
import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.metrics.JobMetrics;
import dev.streamq.queue.Attempt;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Completion;
import dev.streamq.queue.DeadReason;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.Outcome;
import dev.streamq.queue.QueueName;
import dev.streamq.redis.GroupedCalls;
import dev.streamq.redis.GroupedCalls.Member;
import dev.streamq.redis.RedisCalls;
import dev.streamq.redis.RedisOperation;
import dev.streamq.trace.JobTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs one delivery: start (count the attempt), the handler, then complete or fail, each
 * attempt in a span of its own that is a child of the job's submission (JobTracing). Redis
 * calls are retried through a failover for up to the visibility timeout; past it the entry
 * stays pending and the reclaimer hands it out again, so a worker never drops a job it
 * could not record.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final Broker broker;
    private final Handlers handlers;
    private final RetryPolicy retryPolicy;
    private final RedisCalls redis;
    private final JobMetrics metrics;
    private final DueTimes due;
    private final ObjectMapper json;
    private final JobTracing tracing;
    private final Duration redisBudget;
    private final Duration jobTimeout;
    private final GroupedCalls<QueueName, Completion, Outcome> completions;

    JobRunner(Broker broker, Handlers handlers, RetryPolicy retryPolicy, RedisCalls redis, JobMetrics metrics,
            DueTimes due, ObjectMapper json, JobTracing tracing, StreamqConfig config) {
        this.due = due;
        this.broker = broker;
        this.handlers = handlers;
        this.retryPolicy = retryPolicy;
        this.redis = redis;
        this.metrics = metrics;
        this.json = json;
        this.tracing = tracing;
        this.redisBudget = config.worker().visibilityTimeout();
        this.jobTimeout = config.worker().jobTimeout();
        // A worker never has more than its concurrency of jobs to record at once.
        this.completions = new GroupedCalls<>(Math.max(1, config.worker().concurrency()), this::complete);
    }

    /**
     * Counts the attempts of a batch of deliveries of one queue (one round trip). Empty for a
     * stale delivery. Fails only when Redis stayed unreachable: the entries then stay pending
     * and the reclaimer hands them out again.
     */
    public Uni<List<Optional<Attempt>>> start(List<Delivery> deliveries, String consumer) {
        return redis.<List<Optional<Attempt>>>call(RedisOperation.START, redisBudget, () -> broker.start(deliveries, consumer))
                .onFailure().invoke(failure -> deliveries.forEach(d -> EventLog.of(Event.JOB_UNRECORDED)
                        .queue(d.queue().value()).jobId(d.jobId()).error(String.valueOf(failure.getMessage()))
                        .log(LOG, "could not start the job; it stays pending for reclaim")));
    }

    /**
     * Runs the handler and records the outcome, then ends the attempt's span with it. Never
     * fails: an unrecorded outcome leaves the entry to the reclaimer.
     */
    public Uni<Void> run(Attempt attempt) {
        Delivery d = attempt.delivery();
        Span span = tracing.startAttempt(attempt);
        SpanContext trace = span.getSpanContext();
        return execute(attempt, span).onItemOrFailure().transform((error, failure) -> {
            if (failure != null) {
                String unrecorded = String.valueOf(failure.getMessage());
                EventLog.of(Event.JOB_UNRECORDED).queue(d.queue().value()).jobId(d.jobId()).attempt(attempt.number())
                        .error(unrecorded).trace(trace)
                        .log(LOG, "could not record the job's outcome; it stays pending for reclaim");
                tracing.end(span, "outcome not recorded: " + unrecorded);
            } else {
                tracing.end(span, error);
            }
            return null;
        });
    }

    /** The attempt's error once its outcome is recorded; null when it succeeded. */
    private Uni<String> execute(Attempt attempt, Span span) {
        Delivery d = attempt.delivery();
        String queue = d.queue().value();
        SpanContext trace = span.getSpanContext();
        EventLog.of(Event.JOB_STARTED).queue(queue).jobId(d.jobId()).attempt(attempt.number()).trace(trace)
                .log(LOG, "job started: " + attempt.type());
        JobHandler handler = handlers.forType(attempt.type()).orElse(null);
        if (handler == null) {
            return recordFailure(attempt, trace, "no handler for job type '" + attempt.type() + "'", -1,
                    DeadReason.NO_HANDLER, Duration.ZERO);
        }
        long started = System.nanoTime();
        return tracing.<Object>within(span, () -> handler.handle(context(attempt, span)).map(r -> (Object) r))
                .ifNoItem().after(jobTimeout).failWith(() -> new JobFailedException(
                        "handler did not finish within " + jobTimeout.toSeconds() + " s"))
                .onItemOrFailure().transformToUni((result, failure) -> {
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    if (failure != null) {
                        long retryAt = System.currentTimeMillis() + retryPolicy.delayAfter(attempt.number()).toMillis();
                        return recordFailure(attempt, trace, describe(failure), retryAt, DeadReason.MAX_ATTEMPTS, took);
                    }
                    return recordSuccess(attempt, trace, result, took);
                });
    }

    private JobContext context(Attempt attempt, Span span) {
        Delivery d = attempt.delivery();
        JsonNode payload;
        try {
            payload = json.readTree(attempt.payload());
        } catch (JsonProcessingException e) {
            throw new JobFailedException("payload is not JSON: " + e.getOriginalMessage(), e);
        }
        return new JobContext(d.jobId(), d.queue().value(), attempt.type(), attempt.number(), attempt.maxAttempts(), payload,
                Context.root().with(span));
    }

    private Uni<String> recordSuccess(Attempt attempt, SpanContext trace, Object result, Duration took) {
        Delivery d = attempt.delivery();
        String queue = d.queue().value();
        String resultJson;
        try {
            resultJson = result == null ? null : json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            return recordFailure(attempt, trace, "result is not serializable: " + e.getOriginalMessage(), -1,
                    DeadReason.BAD_RESULT, took);
        }
        return completions.offer(d.queue(), new Completion(d, resultJson))
                .invoke(outcome -> {
                    if (outcome == Outcome.DUPLICATE) {
                        metrics.duplicate(queue);
                        EventLog.of(Event.JOB_DUPLICATE).queue(queue).jobId(d.jobId()).attempt(attempt.number()).trace(trace).log(LOG,
                                "job succeeded again after an earlier success (at-least-once delivery)");
                    } else if (outcome == Outcome.OK) {
                        Duration endToEnd = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - attempt.createdAt()));
                        metrics.succeeded(queue, attempt.type(), took, endToEnd);
                        EventLog.of(Event.JOB_SUCCEEDED).queue(queue).jobId(d.jobId()).attempt(attempt.number()).trace(trace)
                                .log(LOG, "job succeeded in " + took.toMillis() + " ms");
                    }
                })
                .map(outcome -> (String) null); // a success: no error for the span
    }

    /**
     * Records a group of one queue's successes (those that finished while the queue's last
     * group was being recorded) in one script call. A Redis failure past the budget fails
     * each member: their entries stay pending for the reclaimer, as a single one's would.
     */
    private Uni<Void> complete(QueueName queue, List<Member<Completion, Outcome>> group) {
        List<Completion> finished = group.stream().map(Member::item).toList();
        return redis.call(RedisOperation.COMPLETE, redisBudget, () -> broker.complete(finished))
                .onItemOrFailure().transform((outcomes, failure) -> {
                    for (int i = 0; i < group.size(); i++) {
                        if (failure != null) {
                            group.get(i).fail(failure);
                        } else {
                            group.get(i).complete(outcomes.get(i));
                        }
                    }
                    return null;
                });
    }

    private Uni<String> recordFailure(Attempt attempt, SpanContext trace, String error, long retryAt, DeadReason deadReason,
            Duration took) {
        Delivery d = attempt.delivery();
        String queue = d.queue().value();
        metrics.failed(queue, attempt.type(), took);
        // Logged before Redis records it: the attempt failed whether or not the outcome can be stored.
        EventLog.of(Event.JOB_FAILED).queue(queue).jobId(d.jobId()).attempt(attempt.number()).error(error).trace(trace)
                .log(LOG, "attempt " + attempt.number() + " of " + attempt.maxAttempts() + " failed");
        return redis.call(RedisOperation.FAIL, redisBudget, () -> broker.fail(d, error, retryAt, deadReason))
                .invoke(outcome -> {
                    if (outcome == Outcome.RETRY) {
                        due.expect(d.queue(), retryAt);
                        metrics.retried(queue);
                        EventLog.of(Event.JOB_RETRY_SCHEDULED).queue(queue).jobId(d.jobId()).attempt(attempt.number())
                                .error(error).trace(trace).log(LOG, "attempt failed; retry in " + Math.max(0, retryAt - System.currentTimeMillis()) + " ms");
                    } else if (outcome == Outcome.DEAD) {
                        DeadReason reason = retryAt < 0 ? deadReason : DeadReason.MAX_ATTEMPTS;
                        metrics.deadLettered(queue, reason.label());
                        EventLog.of(Event.JOB_DEAD_LETTERED).queue(queue).jobId(d.jobId()).attempt(attempt.number())
                                .error(error).reason(reason.label()).trace(trace).log(LOG, "job dead-lettered: " + reason.label());
                    }
                })
                .replaceWith(error);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        String text = message == null ? failure.getClass().getSimpleName() : message;
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }
}

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
import dev.streamq.queue.DeadReason;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.Outcome;
import dev.streamq.redis.RedisCalls;
import dev.streamq.redis.RedisOperation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs one delivery: start (count the attempt), the handler, then complete or fail. Redis
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
    private final Duration redisBudget;
    private final Duration jobTimeout;

    JobRunner(Broker broker, Handlers handlers, RetryPolicy retryPolicy, RedisCalls redis, JobMetrics metrics,
            DueTimes due, ObjectMapper json, StreamqConfig config) {
        this.due = due;
        this.broker = broker;
        this.handlers = handlers;
        this.retryPolicy = retryPolicy;
        this.redis = redis;
        this.metrics = metrics;
        this.json = json;
        this.redisBudget = config.worker().visibilityTimeout();
        this.jobTimeout = config.worker().jobTimeout();
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

    /** Runs the handler and records the outcome. Never fails: an unrecorded outcome leaves the entry to the reclaimer. */
    public Uni<Void> run(Attempt attempt) {
        Delivery d = attempt.delivery();
        return execute(attempt).onFailure().recoverWithItem(failure -> {
            EventLog.of(Event.JOB_UNRECORDED).queue(d.queue().value()).jobId(d.jobId()).attempt(attempt.number())
                    .error(String.valueOf(failure.getMessage()))
                    .log(LOG, "could not record the job's outcome; it stays pending for reclaim");
            return null;
        });
    }

    private Uni<Void> execute(Attempt attempt) {
        Delivery d = attempt.delivery();
        String queue = d.queue().value();
        EventLog.of(Event.JOB_STARTED).queue(queue).jobId(d.jobId()).attempt(attempt.number())
                .log(LOG, "job started: " + attempt.type());
        JobHandler handler = handlers.forType(attempt.type()).orElse(null);
        if (handler == null) {
            return recordFailure(attempt, "no handler for job type '" + attempt.type() + "'", -1, DeadReason.NO_HANDLER, Duration.ZERO);
        }
        long started = System.nanoTime();
        return Uni.createFrom().<Object>deferred(() -> handler.handle(context(attempt)).map(r -> (Object) r))
                .ifNoItem().after(jobTimeout).failWith(() -> new JobFailedException(
                        "handler did not finish within " + jobTimeout.toSeconds() + " s"))
                .onItemOrFailure().transformToUni((result, failure) -> {
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    if (failure != null) {
                        long retryAt = System.currentTimeMillis() + retryPolicy.delayAfter(attempt.number()).toMillis();
                        return recordFailure(attempt, describe(failure), retryAt, DeadReason.MAX_ATTEMPTS, took);
                    }
                    return recordSuccess(attempt, result, took);
                });
    }

    private JobContext context(Attempt attempt) {
        Delivery d = attempt.delivery();
        JsonNode payload;
        try {
            payload = json.readTree(attempt.payload());
        } catch (JsonProcessingException e) {
            throw new JobFailedException("payload is not JSON: " + e.getOriginalMessage(), e);
        }
        return new JobContext(d.jobId(), d.queue().value(), attempt.type(), attempt.number(), attempt.maxAttempts(), payload);
    }

    private Uni<Void> recordSuccess(Attempt attempt, Object result, Duration took) {
        Delivery d = attempt.delivery();
        String queue = d.queue().value();
        String resultJson;
        try {
            resultJson = result == null ? null : json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            return recordFailure(attempt, "result is not serializable: " + e.getOriginalMessage(), -1, DeadReason.BAD_RESULT, took);
        }
        return redis.call(RedisOperation.COMPLETE, redisBudget, () -> broker.complete(d, resultJson))
                .invoke(outcome -> {
                    if (outcome == Outcome.DUPLICATE) {
                        metrics.duplicate(queue);
                        EventLog.of(Event.JOB_DUPLICATE).queue(queue).jobId(d.jobId()).attempt(attempt.number()).log(LOG,
                                "job succeeded again after an earlier success (at-least-once delivery)");
                    } else if (outcome == Outcome.OK) {
                        Duration endToEnd = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - attempt.createdAt()));
                        metrics.succeeded(queue, attempt.type(), took, endToEnd);
                        EventLog.of(Event.JOB_SUCCEEDED).queue(queue).jobId(d.jobId()).attempt(attempt.number()).log(LOG,
                                "job succeeded in " + took.toMillis() + " ms");
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Void> recordFailure(Attempt attempt, String error, long retryAt, DeadReason deadReason, Duration took) {
        Delivery d = attempt.delivery();
        String queue = d.queue().value();
        metrics.failed(queue, attempt.type(), took);
        // Logged before Redis records it: the attempt failed whether or not the outcome can be stored.
        EventLog.of(Event.JOB_FAILED).queue(queue).jobId(d.jobId()).attempt(attempt.number()).error(error)
                .log(LOG, "attempt " + attempt.number() + " of " + attempt.maxAttempts() + " failed");
        return redis.call(RedisOperation.FAIL, redisBudget, () -> broker.fail(d, error, retryAt, deadReason))
                .invoke(outcome -> {
                    if (outcome == Outcome.RETRY) {
                        due.expect(d.queue(), retryAt);
                        metrics.retried(queue);
                        EventLog.of(Event.JOB_RETRY_SCHEDULED).queue(queue).jobId(d.jobId()).attempt(attempt.number())
                                .error(error).log(LOG, "attempt failed; retry in " + Math.max(0, retryAt - System.currentTimeMillis()) + " ms");
                    } else if (outcome == Outcome.DEAD) {
                        DeadReason reason = retryAt < 0 ? deadReason : DeadReason.MAX_ATTEMPTS;
                        metrics.deadLettered(queue, reason.label());
                        EventLog.of(Event.JOB_DEAD_LETTERED).queue(queue).jobId(d.jobId()).attempt(attempt.number())
                                .error(error).reason(reason.label()).log(LOG, "job dead-lettered: " + reason.label());
                    }
                })
                .replaceWithVoid();
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        String text = message == null ? failure.getClass().getSimpleName() : message;
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }
}

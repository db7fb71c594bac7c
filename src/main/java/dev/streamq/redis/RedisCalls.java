package dev.streamq.redis;

import dev.streamq.config.StreamqConfig;
import dev.streamq.metrics.RedisMetrics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * How a producer-side call survives a failover: transient errors (connection refused,
 * READONLY, NOREPLICAS, LOADING, timeouts) are retried with exponential backoff and full
 * jitter until the retry budget is spent, then surface as {@link RedisUnavailableException}
 * (HTTP 503 + Retry-After). A refusal that retrying cannot cure (out of memory, bad
 * credentials) is a 503 at once. A budget of a few seconds covers a tuned Sentinel promotion
 * without holding HTTP requests for the length of an outage. The budget bounds the whole call,
 * including a try that is still waiting for its reply when it runs out.
 */
@ApplicationScoped
public class RedisCalls {

    private static final Logger LOG = Logger.getLogger(RedisCalls.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    private final RedisMetrics metrics;
    private final long budgetMillis;
    private final RedisErrorLog errors = new RedisErrorLog(LOG);

    RedisCalls(RedisMetrics metrics, StreamqConfig config) {
        this.metrics = metrics;
        this.budgetMillis = config.api().redisRetryBudget().toMillis();
    }

    /** Every error kind and retried operation has its series at 0 from startup, before its first failover. */
    void onStart(@Observes StartupEvent event) {
        metrics.startAtZero(Arrays.stream(RedisErrorKind.values()).map(RedisErrorKind::label).toList(),
                RedisOperation.labels());
    }

    /** A producer-side call: retried within the API's retry budget. */
    public <T> Uni<T> call(RedisOperation operation, Supplier<Uni<? extends T>> call) {
        return call(operation, Duration.ofMillis(budgetMillis), call);
    }

    /** A call retried for up to {@code budget}; workers pass their visibility timeout. */
    public <T> Uni<T> call(RedisOperation operation, Duration budget, Supplier<Uni<? extends T>> call) {
        return Uni.createFrom().<T>deferred(call)
                .onFailure(failure -> !isOutcome(failure)).invoke(failure -> {
                    RedisErrorKind kind = RedisErrorKind.of(failure);
                    metrics.error(kind.label());
                    errors.failed(operation.label(), failure);
                    if (kind.isTransient()) {
                        metrics.retry(operation.label());
                        LOG.debugf("redis %s failed (%s), retrying: %s", operation.label(), kind.label(), failure.getMessage());
                    }
                })
                .onFailure(RedisCalls::isTransient).retry()
                .withBackOff(FIRST_BACKOFF, MAX_BACKOFF).withJitter(1.0)
                .expireIn(budget.toMillis())
                // expireIn only stops new tries: a try still waiting for Redis when the budget ends is cut here.
                .ifNoItem().after(budget).failWith(() -> new TimeoutException(
                        "no answer from Redis for " + operation.label() + " within the retry budget of " + budget.toMillis() + " ms"))
                .onFailure(RedisCalls::isUnavailable).transform(failure -> new RedisUnavailableException(
                        RedisErrorKind.of(failure), "Redis is unavailable for " + operation.label() + ": " + failure.getMessage(), failure));
    }

    /** streamq's own exceptions (a key conflict, too few replicas) are answers, not Redis errors. */
    private static boolean isOutcome(Throwable failure) {
        return failure.getClass().getName().startsWith("dev.streamq.");
    }

    private static boolean isUnavailable(Throwable failure) {
        return !(failure instanceof RedisUnavailableException) && RedisErrorKind.of(failure).isUnavailable();
    }

    private static boolean isTransient(Throwable failure) {
        return !(failure instanceof RedisUnavailableException) && RedisErrorKind.of(failure).isTransient();
    }
}

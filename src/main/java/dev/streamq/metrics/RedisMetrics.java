package dev.streamq.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters of the Redis connection: errors by kind, retries, failovers, master availability.
 * The redis package reports to it, in labels, so the arrow points one way: redis -> metrics.
 */
@ApplicationScoped
public class RedisMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger masterUp = new AtomicInteger(1);
    private final AtomicInteger sentinelsBypassed = new AtomicInteger(0);
    private final Counter failovers;
    private final Counter unavailableSeconds;

    RedisMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("streamq.redis.master.up", masterUp);
        Gauge.builder("streamq.redis.sentinels.bypassed", sentinelsBypassed, AtomicInteger::get)
                .description("1 while no sentinel answers and commands go straight to the last master seen")
                .register(registry);
        this.failovers = Counter.builder("streamq.redis.failovers")
                .description("Changes of the Redis master address seen by this process").register(registry);
        this.unavailableSeconds = Counter.builder("streamq.redis.unavailable.seconds")
                .description("Time this process could not reach a Redis master").register(registry);
    }

    /**
     * Starts the error counter of every kind and the retry counter of every operation at 0, so
     * rate() and increase() see the first error of a failover (a counter born at 1 hides it).
     */
    public void startAtZero(Collection<String> errorKinds, Collection<String> operations) {
        errorKinds.forEach(kind -> registry.counter("streamq.redis.errors", "kind", kind));
        operations.forEach(operation -> registry.counter("streamq.redis.retries", "operation", operation));
    }

    /** {@code kind}: the error's RedisErrorKind label (connection, readonly, noreplicas, ...). */
    public void error(String kind) {
        registry.counter("streamq.redis.errors", "kind", kind).increment();
    }

    /** {@code operation}: the call's RedisOperation label. */
    public void retry(String operation) {
        registry.counter("streamq.redis.retries", "operation", operation).increment();
    }

    public void failover() {
        failovers.increment();
    }

    public void masterUp(boolean up) {
        masterUp.set(up ? 1 : 0);
    }

    public void sentinelsBypassed(boolean bypassed) {
        sentinelsBypassed.set(bypassed ? 1 : 0);
    }

    public void unavailableFor(double seconds) {
        unavailableSeconds.increment(seconds);
    }
}

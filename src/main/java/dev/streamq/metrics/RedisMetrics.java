package dev.streamq.metrics;

import dev.streamq.redis.RedisErrorKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/** Meters of the Redis connection: errors by kind, retries, failovers, master availability. */
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

    public void error(RedisErrorKind kind) {
        registry.counter("streamq.redis.errors", "kind", kind.label()).increment();
    }

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

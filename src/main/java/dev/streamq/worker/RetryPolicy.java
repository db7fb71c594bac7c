package dev.streamq.worker;

import dev.streamq.config.StreamqConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: the delay before retry n is uniform in
 * [0, min(max, initial * multiplier^(n-1))]. Full jitter spreads the retries of jobs that
 * failed together (say, during an outage of the service they call) instead of sending them
 * back in waves.
 */
@ApplicationScoped
public class RetryPolicy {

    private final Duration initial;
    private final Duration max;
    private final double multiplier;

    @Inject
    RetryPolicy(StreamqConfig config) {
        this(config.worker().backoff().initial(), config.worker().backoff().max(), config.worker().backoff().multiplier());
    }

    public RetryPolicy(Duration initial, Duration max, double multiplier) {
        this.initial = initial;
        this.max = max;
        this.multiplier = multiplier;
    }

    /** The largest delay after failed attempt {@code attempt} (1-based). */
    public Duration ceiling(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return Duration.ofMillis((long) Math.min(max.toMillis(), millis));
    }

    public Duration delayAfter(int attempt) {
        long ceiling = ceiling(attempt).toMillis();
        return Duration.ofMillis(ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}

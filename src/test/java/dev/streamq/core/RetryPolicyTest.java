package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.worker.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0);

    @Test
    void ceilingGrowsExponentiallyUpToTheCap() {
        assertEquals(1_000, policy.ceiling(1).toMillis());
        assertEquals(2_000, policy.ceiling(2).toMillis());
        assertEquals(16_000, policy.ceiling(5).toMillis());
        assertEquals(30_000, policy.ceiling(6).toMillis());
        assertEquals(30_000, policy.ceiling(60).toMillis());
    }

    @Test
    void fullJitterSpreadsDelaysOverTheWholeRange() {
        int samples = 20_000;
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < samples; i++) {
            long d = policy.delayAfter(3).toMillis();
            assertTrue(d >= 0 && d <= 4_000, "delay " + d + " outside [0, 4000]");
            sum += d;
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        double mean = (double) sum / samples;
        assertTrue(Math.abs(mean - 2_000) < 100, "mean " + mean + " should be near half the ceiling");
        assertTrue(min < 200 && max > 3_800, "range [" + min + ", " + max + "] should cover nearly all of [0, 4000]");
    }
}

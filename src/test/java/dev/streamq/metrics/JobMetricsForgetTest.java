package dev.streamq.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A registry listing read just before a new queue's first submission lacks that queue: it
 * must not wipe the queue's first counts (JobLifecycleTest lost its enqueued counter so).
 */
class JobMetricsForgetTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobMetrics metrics = new JobMetrics(registry);

    @Test
    void aQueueThatJustCountedKeepsItsSeriesWhenAListingLacksIt() {
        metrics.enqueued("fresh", 2);
        metrics.forgetAllBut(Set.of(), Duration.ofMinutes(1));
        assertEquals(2.0, registry.get("streamq.jobs.enqueued").tag("queue", "fresh").counter().count());
    }

    @Test
    void aQueueIdleLongerThanTheIdleTimeAndNotListedLosesItsSeries() throws InterruptedException {
        metrics.enqueued("gone", 1);
        metrics.succeeded("gone", "noop", Duration.ofMillis(3), Duration.ofMillis(9));
        metrics.enqueued("kept", 1);
        Thread.sleep(20);
        metrics.forgetAllBut(Set.of("kept"), Duration.ofMillis(10));
        assertNull(registry.find("streamq.jobs.enqueued").tag("queue", "gone").counter());
        assertNull(registry.find("streamq.job.latency").tag("queue", "gone").timer());
        assertNotNull(registry.find("streamq.jobs.enqueued").tag("queue", "kept").counter());
        metrics.enqueued("gone", 1); // back: counts again from a new series
        assertEquals(1.0, registry.get("streamq.jobs.enqueued").tag("queue", "gone").counter().count());
    }
}

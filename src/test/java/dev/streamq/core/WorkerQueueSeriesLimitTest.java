package dev.streamq.core;

import static dev.streamq.core.SeriesBeforeFirstEventTest.sample;
import static dev.streamq.core.QueueSeriesLimitTest.labels;
import static dev.streamq.core.SeriesBeforeFirstEventTest.scrape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The series limit in a worker pod (role=worker), where the consumed queues, not the registry
 * read by QueueStats, give and take back the places: one queue of its own, the rest in the
 * overflow, and a dropped queue's place goes to a queue still consumed, with its counters at 0
 * and an in-flight gauge of its own.
 */
@QuarkusTest
@TestProfile(WorkerQueueSeriesLimitTest.OneQueueWorker.class)
@WithTestResource(RedisServerResource.class)
class WorkerQueueSeriesLimitTest {

    public static class OneQueueWorker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.role", "worker", "streamq.metrics.queue-series-limit", "1");
        }
    }

    private static String awaitLabels(String what, int count, String absent) {
        return Await.until(what, Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            String text = scrape();
            Set<String> retried = labels(text, "streamq_jobs_retried_total");
            Set<String> inflight = labels(text, "streamq_worker_inflight");
            return retried.size() == count && retried.equals(inflight) && !retried.contains(absent) ? text : null;
        });
    }

    @Test
    void aDroppedQueuesPlaceGoesToAQueueStillConsumed() {
        try (RespClient redis = RedisServerResource.current.client()) {
            redis.call("SADD", "streamq:queues", "w-a", "w-b", "w-c");
        }
        String before = awaitLabels("one queue of its own and the overflow", 2, "none");
        Set<String> labelled = labels(before, "streamq_jobs_retried_total");
        String own = labelled.stream().filter(q -> !q.equals("_overflow")).findFirst().orElseThrow(() -> new AssertionError(labelled));
        assertEquals(0.0, sample(before, "streamq_jobs_retried_total{queue=\"_overflow\"}"), "the overflow's counters at 0");
        assertEquals(0.0, sample(before, "streamq_worker_inflight{queue=\"_overflow\"}"), "nothing running");

        try (RespClient redis = RedisServerResource.current.client()) {
            redis.call("SREM", "streamq:queues", own);
        }
        String after = awaitLabels("another queue in the freed place", 2, own);
        assertFalse(after.contains("queue=\"" + own + "\""), "a series of the dropped queue " + own);
        String moved = labels(after, "streamq_jobs_retried_total").stream().filter(q -> !q.equals("_overflow")).findFirst().orElseThrow();
        assertNotNull(sample(after, "streamq_jobs_dead_lettered_total{queue=\"" + moved + "\",reason=\"poison\"}"), "counters of " + moved);
        assertEquals(0.0, sample(after, "streamq_jobs_retried_total{queue=\"" + moved + "\"}"), "from 0");
        assertNotNull(sample(after, "streamq_worker_inflight{queue=\"" + moved + "\"}"), "its own in-flight gauge");
    }
}

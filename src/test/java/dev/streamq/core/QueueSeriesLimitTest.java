package dev.streamq.core;

import static dev.streamq.core.SeriesBeforeFirstEventTest.sample;
import static dev.streamq.core.SeriesBeforeFirstEventTest.scrape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Past streamq.metrics.queue-series-limit queues, the rest share queue="_overflow": its counters
 * and gauges sum theirs, so nothing is lost from a total, and a forgotten queue's place goes to
 * the next one. Without the bound 10,000 queues ran both processes out of the shipped heap.
 */
@QuarkusTest
@TestProfile(QueueSeriesLimitTest.TwoQueues.class)
@WithTestResource(RedisServerResource.class)
class QueueSeriesLimitTest {

    public static class TwoQueues implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.metrics.queue-series-limit", "2");
        }
    }

    private static final List<String> QUEUES = List.of("first", "second", "third", "fourth");

    /** The queue labels of one metric in a scrape. */
    static Set<String> labels(String scrape, String metric) {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{[^}]*queue=\"([^\"]+)\"").matcher(scrape);
        Set<String> labels = new TreeSet<>();
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    /** The sum of one series over {@code labels}; {@code series} names it for a label. */
    private static double sum(String scrape, Set<String> labels, Function<String, String> series) {
        double total = 0;
        for (String label : labels) {
            Double value = sample(scrape, series.apply(label));
            total += value == null ? 0 : value;
        }
        return total;
    }

    /** Waits for the delayed depths, summed over every label, to be {@code jobs}. */
    private static void awaitDelayed(int jobs, String what) {
        Await.condition(what, Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            String text = scrape();
            return sum(text, labels(text, "streamq_queue_jobs"), q -> "streamq_queue_jobs{queue=\"" + q + "\",state=\"delayed\"}") == jobs;
        });
    }

    @Test
    void queuesPastTheLimitShareTheOverflowSeriesAndAForgottenQueueFreesItsPlace() {
        for (String queue : QUEUES) {
            Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(10));
            Jobs.submit(queue, "{\"type\":\"noop\",\"runAt\":\"2099-01-01T00:00:00Z\"}"); // one job waiting in each
        }
        // the registry is read every second: wait until it knows all four
        String scrape = Await.until("the overflow series", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            String text = scrape();
            return labels(text, "streamq_queue_jobs").contains("_overflow") ? text : null;
        });

        Set<String> enqueued = labels(scrape, "streamq_jobs_enqueued_total");
        assertEquals(3, enqueued.size(), "two queues of their own and the overflow: " + enqueued);
        assertTrue(enqueued.contains("_overflow"), "the overflow series: " + enqueued);
        assertEquals(8.0, sum(scrape, enqueued, q -> "streamq_jobs_enqueued_total{queue=\"" + q + "\"}"), "no submission missing from the total");
        Set<String> completed = labels(scrape, "streamq_jobs_completed_total");
        assertEquals(enqueued, completed, "the same labels for runs");
        assertEquals(4.0, sum(scrape, completed, q -> "streamq_jobs_completed_total{outcome=\"succeeded\",queue=\"" + q + "\"}"),
                "no success missing from the total");
        assertEquals(enqueued, labels(scrape, "streamq_job_latency_seconds_count"), "the same labels for latencies");
        assertEquals(enqueued, labels(scrape, "streamq_queue_jobs"), "the same labels for depths");
        assertNotNull(sample(scrape, "streamq_queue_jobs{queue=\"_overflow\",state=\"ready\"}"), "the overflow's depth");
        awaitDelayed(4, "each queue's waiting job counted once, in its own series or the overflow's");
        assertNotNull(sample(scrape, "streamq_worker_inflight{queue=\"_overflow\"}"), "the overflow's running jobs");

        // A labelled queue leaves the registry: its series go, and an overflowed queue takes its place, from 0.
        String gone = enqueued.stream().filter(q -> !q.equals("_overflow")).findFirst().orElseThrow();
        try (RespClient redis = RedisServerResource.current.client()) {
            redis.call("SREM", "streamq:queues", gone);
        }
        String after = Await.until("a place for an overflowed queue", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            String text = scrape();
            Set<String> now = labels(text, "streamq_jobs_enqueued_total");
            return !now.contains(gone) && now.size() == 3 ? text : null;
        });
        Set<String> now = labels(after, "streamq_jobs_enqueued_total");
        String moved = now.stream().filter(q -> !enqueued.contains(q)).findFirst().orElseThrow(() -> new AssertionError(now));
        assertEquals(0.0, sample(after, "streamq_jobs_enqueued_total{queue=\"" + moved + "\"}"), "its own series start at 0");
        // its depth leaves the overflow for gauges of its own (a depth is read each second here),
        // and nothing of the forgotten queue is exported any more
        String later = Await.until("the moved queue's own depth", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            String text = scrape();
            return sample(text, "streamq_queue_jobs{queue=\"" + moved + "\",state=\"ready\"}") != null ? text : null;
        });
        assertFalse(later.contains("queue=\"" + gone + "\""), "a series of the forgotten queue " + gone);
        awaitDelayed(3, "the moved queue's waiting job counted once, and the forgotten queue's not at all");
        assertEquals(3, labels(later, "streamq_queue_jobs").size(), "two queues of their own and the overflow");
    }
}

package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The histograms that panels and rules read exist, with a few fixed buckets each: the API's
 * request timer (the "API p99 latency by uri" panel read http_server_requests_seconds_bucket,
 * which the app did not export) and the job timers (bounded: Micrometer's percentile histogram
 * spent 87 buckets per queue and type).
 */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class HistogramBucketsTest {

    private static final List<String> HTTP_BUCKETS = List.of("0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
            "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf");
    private static final List<String> JOB_BUCKETS = List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0",
            "2.5", "5.0", "10.0", "30.0", "60.0", "120.0", "300.0", "600.0", "+Inf");
    private static final Pattern BUCKET = Pattern.compile("(?m)^(\\w+)_bucket\\{(.*?),?le=\"([^\"]+)\",?(.*?)} \\S+$");

    /** Bucket boundaries ("le", in scrape order) of every series of {@code metric}, by its other labels. */
    static Map<String, List<String>> buckets(String scrape, String metric) {
        Map<String, List<String>> byLabels = new TreeMap<>();
        Matcher m = BUCKET.matcher(scrape);
        while (m.find()) {
            if (m.group(1).equals(metric)) {
                byLabels.computeIfAbsent(m.group(2) + "|" + m.group(4), k -> new ArrayList<>()).add(m.group(3));
            }
        }
        return byLabels;
    }

    @Test
    void apiRequestsAreAHistogramWithFixedBucketsPerUri() {
        String id = Jobs.submit("timed", "{\"type\":\"noop\"}");
        Jobs.awaitState(id, "succeeded", Duration.ofSeconds(15));
        String scrape = SeriesBeforeFirstEventTest.scrape();

        assertTrue(scrape.contains("# TYPE http_server_requests_seconds histogram"), "the request timer is a histogram");
        Map<String, List<String>> series = buckets(scrape, "http_server_requests_seconds");
        assertTrue(series.keySet().stream().anyMatch(k -> k.contains("uri=\"/queues/{queue}/jobs\"") && k.contains("method=\"POST\"")),
                "submissions by uri template: " + series.keySet());
        assertTrue(series.keySet().stream().anyMatch(k -> k.contains("uri=\"/jobs/{id}\"")), "job reads by uri template");
        series.forEach((labels, le) -> assertEquals(HTTP_BUCKETS, le, "buckets of " + labels));
    }

    @Test
    void jobTimersHaveTheSameFewBucketsForEveryQueueAndType() {
        String id = Jobs.submit("timed-jobs", "{\"type\":\"noop\"}");
        Jobs.awaitState(id, "succeeded", Duration.ofSeconds(15));
        String scrape = SeriesBeforeFirstEventTest.scrape();

        for (String timer : List.of("streamq_job_latency_seconds", "streamq_job_handler_duration_seconds")) {
            assertTrue(scrape.contains("# TYPE " + timer + " histogram"), timer + " is a histogram");
            Map<String, List<String>> series = buckets(scrape, timer);
            assertTrue(series.keySet().stream().anyMatch(k -> k.contains("queue=\"timed-jobs\"")), timer + " of the queue: " + series.keySet());
            series.forEach((labels, le) -> assertEquals(JOB_BUCKETS, le, timer + " buckets of " + labels));
        }
    }
}

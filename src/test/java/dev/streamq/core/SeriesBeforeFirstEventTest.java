package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every counter of a queue the service knows is exported at 0 before its first event, one per
 * dead-letter reason, and so are Redis errors by kind and retries by operation. Prometheus'
 * increase() and rate() need that 0: a counter born at 1 hid a pod's first dead letters and
 * duplicates from DeadLettersGrowing and DuplicatesSeen.
 */
@QuarkusTest
@TestProfile(SeriesBeforeFirstEventTest.SlowRegistryReads.class)
@WithTestResource(RedisServerResource.class)
class SeriesBeforeFirstEventTest {

    /** The registry (and queue depths) read at most every 4 s instead of 1 s: a snapshot stays stale for long. */
    public static class SlowRegistryReads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.api.stats-cache-ttl", "4s");
        }
    }

    private static final List<String> REASONS = List.of("max_attempts", "no_handler", "bad_result", "poison");

    /** The value of one series in a scrape, or null when it is not exported. */
    static Double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    static String scrape() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** Waits for the series to be exported (the registry is read every second), then returns the scrape. */
    static String awaitSeries(String series) {
        return Await.until(series + " to be exported", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            String text = scrape();
            return sample(text, series) != null ? text : null;
        });
    }

    @Test
    void aKnownQueuesCountersAreExportedAtZeroBeforeAnyJobDies() {
        // A queue the registry knows, on which nothing has happened yet in this process.
        try (RespClient redis = RedisServerResource.current.client()) {
            redis.call("SADD", "streamq:queues", "quiet");
        }
        String before = awaitSeries("streamq_jobs_dead_lettered_total{queue=\"quiet\",reason=\"max_attempts\"}");
        for (String reason : REASONS) {
            assertEquals(0.0, sample(before, "streamq_jobs_dead_lettered_total{queue=\"quiet\",reason=\"" + reason + "\"}"),
                    "dead letters (" + reason + ") at 0 before the first");
        }
        Map.of("streamq_jobs_duplicates_total{queue=\"quiet\"}", "duplicates",
                "streamq_jobs_retried_total{queue=\"quiet\"}", "retries",
                "streamq_jobs_reclaimed_total{queue=\"quiet\"}", "reclaims",
                "streamq_jobs_completed_total{outcome=\"failed\",queue=\"quiet\"}", "failed attempts",
                "streamq_jobs_completed_total{outcome=\"succeeded\",queue=\"quiet\"}", "successes",
                "streamq_jobs_enqueued_total{queue=\"quiet\"}", "submissions",
                "streamq_jobs_redriven_total{queue=\"quiet\"}", "redrives")
                .forEach((series, what) -> assertEquals(0.0, sample(before, series), what + " at 0 before the first: " + series));

        // The first dead letter moves the series that was already there from 0 to 1.
        String id = Jobs.submit("quiet", "{\"type\":\"fail\",\"maxAttempts\":1}");
        Jobs.awaitState(id, "dead", Duration.ofSeconds(15));
        String after = scrape();
        assertEquals(1.0, sample(after, "streamq_jobs_dead_lettered_total{queue=\"quiet\",reason=\"max_attempts\"}"));
        assertEquals(0.0, sample(after, "streamq_jobs_dead_lettered_total{queue=\"quiet\",reason=\"poison\"}"));
        assertEquals(1.0, sample(after, "streamq_jobs_completed_total{outcome=\"failed\",queue=\"quiet\"}"));
    }

    @Test
    void aNewQueuesSeriesAreKeptWhileTheRegistryIsReadFromAnOlderSnapshot() {
        // The registry is read at most once a stats-cache-ttl (4 s here). Wait until a read has
        // just happened (a marker queue shows up in GET /queues), so the next 4 s of refreshes
        // read a snapshot without the queue submitted now. Its series must not be taken for a
        // forgotten queue's and removed: they were, and came back from 0, counts lost.
        Jobs.submit("marker", "{\"type\":\"noop\"}");
        Await.condition("a fresh registry read", Duration.ofSeconds(10), Duration.ofMillis(20),
                () -> given().when().get("/queues").then().extract().jsonPath().getList("queue").contains("marker"));
        Jobs.awaitState(Jobs.submit("fresh", "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(3));
        long until = System.currentTimeMillis() + 3_000;
        while (System.currentTimeMillis() < until) {
            String text = scrape();
            assertEquals(1.0, sample(text, "streamq_jobs_enqueued_total{queue=\"fresh\"}"), "submissions of the new queue");
            assertEquals(1.0, sample(text, "streamq_job_latency_seconds_count{queue=\"fresh\"}"), "latency of the new queue");
            Jobs.sleep(50);
        }
    }

    @Test
    void redisErrorsByKindAndRetriesByOperationAreExportedAtZeroFromStartup() {
        String text = scrape();
        for (String kind : List.of("connection", "readonly", "noreplicas", "loading", "timeout", "out_of_memory", "auth", "tls", "other")) {
            assertEquals(0.0, sample(text, "streamq_redis_errors_total{kind=\"" + kind + "\"}"), "errors of kind " + kind);
        }
        for (String operation : List.of("enqueue", "find", "dead_letters", "redrive", "stats", "start", "complete", "fail")) {
            assertEquals(0.0, sample(text, "streamq_redis_retries_total{operation=\"" + operation + "\"}"), "retries of " + operation);
        }
        // RequestsRefused reads these: Micrometer's http_server_requests{status="503"} is born at its first value
        for (String reason : List.of("connection", "readonly", "noreplicas", "timeout", "out_of_memory", "auth", "tls", "not_durable")) {
            assertEquals(0.0, sample(text, "streamq_api_refused_total{reason=\"" + reason + "\"}"), "refusals for " + reason);
        }
    }
}

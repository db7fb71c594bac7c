package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A queue with nothing waiting, running, scheduled or dead that took no job for
 * streamq.queues.forget-after leaves the registry, its keys are deleted and its metric series
 * removed; its finished jobs stay readable, and the next job brings the queue back and runs.
 */
@QuarkusTest
@TestProfile(IdleQueuesTest.ShortIdleTime.class)
@WithTestResource(RedisServerResource.class)
class IdleQueuesTest {

    public static class ShortIdleTime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.queues.forget-after", "3s", "streamq.queues.prune-interval", "300ms");
        }
    }

    @Test
    void idleQueuesAreForgottenAndComeBackWithTheirNextJob() {
        String done = Jobs.submit("idle", "{\"type\":\"noop\"}");
        Jobs.awaitState(done, "succeeded", Duration.ofSeconds(15));
        assertTrue(given().when().get("/q/metrics").then().extract().asString()
                .contains("streamq_jobs_enqueued_total{queue=\"idle\""), "a queue in use has its counters");
        String dead = Jobs.submit("holds-a-dead-letter", "{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":1}");
        Jobs.awaitState(dead, "dead", Duration.ofSeconds(15));
        String later = Jobs.submit("scheduled", "{\"type\":\"noop\",\"runAt\":\"2999-01-01T00:00:00Z\"}");

        Await.condition("the idle queue to be forgotten", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            try (RespClient redis = RedisServerResource.current.client()) {
                return redis.callLong("SISMEMBER", "streamq:queues", "idle") == 0;
            }
        });
        try (RespClient redis = RedisServerResource.current.client()) {
            assertEquals(0, redis.callLong("EXISTS", "streamq:{idle}:ready"), "a forgotten queue's keys are gone");
            assertEquals(1, redis.callLong("SISMEMBER", "streamq:queues", "holds-a-dead-letter"), "a dead letter is not idle");
            assertEquals(1, redis.callLong("SISMEMBER", "streamq:queues", "scheduled"), "a scheduled job is not idle");
        }
        // the API's view of the registry is up to stats-cache-ttl old
        Await.condition("GET /queues/idle to answer 404", Duration.ofSeconds(5), Duration.ofMillis(100),
                () -> given().when().get("/queues/idle").statusCode() == 404);
        assertEquals("succeeded", Jobs.get(done).getString("state"), "a finished job stays readable by id");
        // its metric series go too: counters, queue gauges and the worker's in-flight gauge
        Await.condition("the forgotten queue's series to go", Duration.ofSeconds(10), Duration.ofMillis(200),
                () -> !given().when().get("/q/metrics").then().extract().asString().contains("queue=\"idle\""));
        assertEquals("scheduled", Jobs.get(later).getString("state"));

        Jobs.awaitState(Jobs.submit("idle", "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(15));
        given().when().get("/queues/idle").then().statusCode(200);
        // known again: its counters start at 0 again, before its first dead letter
        assertEquals(0.0, SeriesBeforeFirstEventTest.sample(
                SeriesBeforeFirstEventTest.awaitSeries("streamq_jobs_dead_lettered_total{queue=\"idle\",reason=\"poison\"}"),
                "streamq_jobs_dead_lettered_total{queue=\"idle\",reason=\"poison\"}"));
    }
}

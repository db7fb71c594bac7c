package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Entries a dead worker left pending are taken over after the visibility timeout (2 s in the
 * test profile) and run; an entry delivered too often is dead-lettered as poison.
 */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class ReclaimTest {

    private static String abandon(String queue, int deliveries) {
        try (RespClient redis = RedisServerResource.current.client()) {
            return AbandonedJob.leave(redis, queue, deliveries);
        }
    }

    @Test
    void entryOfADeadWorkerIsReclaimedAndRun() {
        try (CapturedEvents events = CapturedEvents.start()) {
            String id = abandon("orphans", 1);
            long abandonedAt = System.currentTimeMillis();
            JsonPath job = Jobs.awaitState(id, "succeeded", Duration.ofSeconds(20));
            long took = System.currentTimeMillis() - abandonedAt;
            assertEquals(2, job.getInt("attempts"), "the dead worker's attempt plus the reclaimed one");
            assertTrue(took >= 1900, "reclaimed only after the visibility timeout, took " + took + " ms");
            String metrics = given().when().get("/q/metrics").then().extract().asString();
            assertTrue(metrics.contains("streamq_jobs_reclaimed_total{queue=\"orphans\"} 1.0"), "reclaimed counter");
            List<Map<String, String>> reclaimed = events.lines("job_reclaimed", "orphans", id);
            assertEquals(1, reclaimed.size());
            assertEquals("1", reclaimed.get(0).get("attempt"), "the attempt the dead worker abandoned");
        }
    }

    @Test
    void entryDeliveredTooOftenIsDeadLetteredAsPoison() {
        try (CapturedEvents events = CapturedEvents.start()) {
            String id = abandon("poison", 5);
            JsonPath job = Jobs.awaitState(id, "dead", Duration.ofSeconds(20));
            assertEquals("poison", job.getString("deadReason"));
            given().when().get("/queues/poison/dead").then().statusCode(200).body(containsString(id));
            Await.condition("the poison line", Duration.ofSeconds(5), Duration.ofMillis(50),
                    () -> !events.lines("job_dead_lettered", "poison", id).isEmpty());
            Map<String, String> dead = events.lines("job_dead_lettered", "poison", id).get(0);
            assertEquals("poison", dead.get("reason"));
            assertEquals("1", dead.get("attempt"), "the last attempt a consumer started");
        }
    }
}

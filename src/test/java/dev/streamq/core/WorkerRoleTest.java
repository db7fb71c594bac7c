package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A process started with streamq.role=worker runs the consumer loops and serves no job API. */
@QuarkusTest
@TestProfile(WorkerRoleTest.WorkerRole.class)
@WithTestResource(RedisServerResource.class)
class WorkerRoleTest {

    public static class WorkerRole implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.role", "worker");
        }
    }

    @Test
    void workerServesHealthButNoJobApi() {
        given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}")
                .when().post("/queues/default/jobs")
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString("role=worker"));
        given().when().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItem("worker-loop"));
        given().when().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void aConsumedQueuesRunCountersStartAtZeroAndItsSubmissionCountersAreNotExported() {
        try (RespClient redis = RedisServerResource.current.client()) {
            redis.call("SADD", "streamq:queues", "consumed-here");
        }
        // discovery (every 200 ms in the test profile) consumes it and starts its counters
        String text = SeriesBeforeFirstEventTest.awaitSeries("streamq_jobs_dead_lettered_total{queue=\"consumed-here\",reason=\"poison\"}");
        assertEquals(0.0, SeriesBeforeFirstEventTest.sample(text, "streamq_jobs_duplicates_total{queue=\"consumed-here\"}"));
        assertEquals(0.0, SeriesBeforeFirstEventTest.sample(text, "streamq_jobs_reclaimed_total{queue=\"consumed-here\"}"));
        // a worker never submits: an API-side counter at 0 here would only add series
        assertNull(SeriesBeforeFirstEventTest.sample(text, "streamq_jobs_enqueued_total{queue=\"consumed-here\"}"));
    }
}

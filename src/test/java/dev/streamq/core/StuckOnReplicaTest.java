package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client whose connections land on a replica: writes answer 503 (READONLY, retried), readiness is down, and liveness fails once it lasts. */
@QuarkusTest
@WithTestResource(value = MasterReplicaResource.class, initArgs = {
        @ResourceArg(name = "client", value = "replica"),
        @ResourceArg(name = "streamq.redis.stale-master-limit", value = "2s") })
class StuckOnReplicaTest {

    @Test
    void writesToAReplicaAre503AndAStuckClientFailsLiveness() {
        try (CapturedEvents events = CapturedEvents.start()) {
            for (int i = 0; i < 2; i++) {
                given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}")
                        .when().post("/queues/default/jobs")
                        .then().statusCode(503).header("Retry-After", "1").body("detail", containsString("readonly"));
            }
            // two submissions retried for 3 s each, dozens of READONLY replies: one line, within 10 s
            List<Map<String, String>> api = events.lines("redis_error").stream()
                    .filter(f -> "enqueue".equals(f.get("operation"))).toList();
            assertEquals(1, api.size(), "the demoted master is named once, not per reply: " + api);
            assertEquals("readonly", api.get(0).get("kind"));
        }
        given().when().get("/q/health/ready").then().statusCode(503);
        Jobs.sleep(3_500); // past the 2 s stale-master limit of this test
        given().when().get("/q/health/live").then().statusCode(503)
                .body("checks.find { it.name == 'redis-client' }.status", equalTo("DOWN"));
    }
}

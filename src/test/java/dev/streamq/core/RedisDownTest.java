package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** With Redis gone the API says 503 with Retry-After (never a 500), readiness goes down, liveness stays up; all comes back by itself. */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class RedisDownTest {

    @Test
    void redisOutageAnswers503AndRecoversWithoutRestart() {
        String before = Jobs.submit("outage", "{\"type\":\"noop\"}");
        Jobs.awaitState(before, "succeeded", Duration.ofSeconds(15));

        RedisServerResource.current.kill9();
        try {
            given().contentType(ContentType.JSON).header("Idempotency-Key", "during-outage").body("{\"type\":\"noop\"}")
                    .when().post("/queues/outage/jobs")
                    .then().statusCode(503)
                    .header("Retry-After", "1")
                    .contentType("application/problem+json")
                    .body("status", equalTo(503), "detail", containsString("Redis is unavailable"));
            given().when().get("/jobs/" + before).then().statusCode(503).header("Retry-After", "1");
            given().when().get("/q/health/ready").then().statusCode(503);
            given().when().get("/q/health/live").then().statusCode(200);
        } finally {
            RedisServerResource.current.restart();
        }

        // AOF brings the finished job back; the same key now makes exactly one job, and it runs.
        Jobs.awaitState(before, "succeeded", Duration.ofSeconds(15));
        String after = given().contentType(ContentType.JSON).header("Idempotency-Key", "during-outage")
                .body("{\"type\":\"noop\"}")
                .when().post("/queues/outage/jobs").then().statusCode(202).extract().path("id");
        Jobs.awaitState(after, "succeeded", Duration.ofSeconds(15));
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}

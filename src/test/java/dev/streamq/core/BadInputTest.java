package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every kind of bad submission gets a 4xx problem body naming the field, and nothing reaches Redis. */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class BadInputTest {

    private long keysBefore;

    @BeforeEach
    void countKeys() {
        keysBefore = RedisServerResource.current.client().callLong("DBSIZE");
    }

    @AfterEach
    void nothingWasWritten() {
        assertEquals(keysBefore, RedisServerResource.current.client().callLong("DBSIZE"), "keys in Redis");
    }

    private static void refused(String queue, String body, int status, String field) {
        given().contentType(ContentType.JSON).body(body)
                .when().post("/queues/" + queue + "/jobs")
                .then().statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status), "title", notNullValue(), "detail", notNullValue(), "field", equalTo(field));
    }

    @Test
    void malformedJsonIsRefused() {
        given().contentType(ContentType.JSON).body("{\"type\": \"noop\",")
                .when().post("/queues/default/jobs")
                .then().statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
    }

    @Test
    void missingTypeIsRefused() {
        refused("default", "{\"payload\":{}}", 400, "type");
    }

    @Test
    void overLongTypeIsRefused() {
        refused("default", "{\"type\":\"" + "t".repeat(129) + "\"}", 400, "type");
    }

    @Test
    void invalidQueueNameIsRefused() {
        refused("Bad_Queue!", "{\"type\":\"noop\"}", 400, "queue");
        refused("x".repeat(65), "{\"type\":\"noop\"}", 400, "queue");
    }

    @Test
    void oversizedPayloadIsRefusedWith413() {
        String big = "a".repeat(1024 * 1024 + 1);
        refused("default", "{\"type\":\"noop\",\"payload\":{\"blob\":\"" + big + "\"}}", 413, "payload");
    }

    @Test
    void maxAttemptsOutOfRangeIsRefused() {
        refused("default", "{\"type\":\"noop\",\"maxAttempts\":0}", 400, "maxAttempts");
        refused("default", "{\"type\":\"noop\",\"maxAttempts\":101}", 400, "maxAttempts");
    }

    @Test
    void unparseableRunAtIsRefused() {
        refused("default", "{\"type\":\"noop\",\"runAt\":\"tomorrow\"}", 400, "runAt");
    }

    @Test
    void badIdempotencyKeyIsRefused() {
        given().contentType(ContentType.JSON).header("Idempotency-Key", "k".repeat(201)).body("{\"type\":\"noop\"}")
                .when().post("/queues/default/jobs")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("Idempotency-Key"));
    }

    @Test
    void batchOverTheLimitIsRefused() {
        StringBuilder body = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < 1001; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"noop\"}");
        }
        body.append("]}");
        given().contentType(ContentType.JSON).body(body.toString())
                .when().post("/queues/default/jobs/batch")
                .then().statusCode(413).contentType("application/problem+json").body("field", equalTo("jobs"));
    }

    @Test
    void oneBadJobRefusesTheWholeBatch() {
        given().contentType(ContentType.JSON).body("{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\",\"maxAttempts\":-1}]}")
                .when().post("/queues/default/jobs/batch")
                .then().statusCode(400).body("field", equalTo("jobs[1].maxAttempts"));
        given().contentType(ContentType.JSON).body("{\"jobs\":[]}")
                .when().post("/queues/default/jobs/batch")
                .then().statusCode(400).body("field", equalTo("jobs"));
    }

    @Test
    void badDeadLetterPageIsRefused() {
        given().when().get("/queues/default/dead?limit=0").then().statusCode(400).body("field", equalTo("limit"));
        given().when().get("/queues/default/dead?after=zzz").then().statusCode(400).body("field", equalTo("after"));
    }
}

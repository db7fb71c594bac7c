package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * With streamq.durability.min-replicas=1 a 2xx means a replica has the job: when WAIT times
 * out the API answers 503, and the client's retry with the same key returns the same job once
 * it is replicated, never a second one.
 */
@QuarkusTest
@WithTestResource(value = MasterReplicaResource.class, initArgs = {
        @ResourceArg(name = "streamq.durability.min-replicas", value = "1"),
        @ResourceArg(name = "streamq.durability.wait-timeout", value = "300ms") })
class DurabilityTest {

    private static final String BODY = "{\"type\":\"noop\"}";

    @Test
    void unreplicatedJobIs503AndTheRetryWithTheSameKeyReturnsTheSameJob() {
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", "replicated-1").body(BODY)
                .when().post("/queues/durable/jobs").then().statusCode(202).extract().path("id");
        Jobs.awaitState(first, "succeeded", Duration.ofSeconds(15));

        MasterReplicaResource.replica.kill9();
        given().contentType(ContentType.JSON).header("Idempotency-Key", "order-99").body(BODY)
                .when().post("/queues/durable/jobs")
                .then().statusCode(503).header("Retry-After", "1").body("detail", containsString("replicas"));

        MasterReplicaResource.replica.restart();
        MasterReplicaResource.awaitReplicaOnline(Duration.ofSeconds(15));
        String retried = given().contentType(ContentType.JSON).header("Idempotency-Key", "order-99").body(BODY)
                .when().post("/queues/durable/jobs")
                .then().statusCode(200).body("replayed", equalTo(true)).extract().path("id");
        assertEquals(1, Jobs.awaitState(retried, "succeeded", Duration.ofSeconds(15)).getInt("attempts"));
        // the job the 503 answer was about is this one: the master had it, the retry found it
        try (var redis = MasterReplicaResource.master.client()) {
            assertEquals(retried, redis.callString("GET", "streamq:{durable}:idem:order-99"));
        }
    }

    @Test
    void aSubmitAnswered503DoesNotRegisterItsQueue() {
        MasterReplicaResource.replica.kill9();
        try {
            given().contentType(ContentType.JSON).body(BODY).when().post("/queues/never-acknowledged/jobs")
                    .then().statusCode(503);
            try (var redis = MasterReplicaResource.master.client()) {
                assertEquals(0, redis.callLong("SISMEMBER", "streamq:queues", "never-acknowledged"));
            }
        } finally {
            MasterReplicaResource.replica.restart();
            MasterReplicaResource.awaitReplicaOnline(Duration.ofSeconds(15));
        }
    }
}

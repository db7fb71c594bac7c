package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import dev.streamq.lab.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Behind Sentinel, with no durability key set, a 2xx means every replica holds the job, the
 * lagging one too: Sentinel may promote either. A replica whose stream is held back costs the
 * producer latency while the hold is shorter than the WAIT timeout, and a 503 when it is longer;
 * never an acknowledgement the laggard lacks.
 */
@QuarkusTest
@WithTestResource(value = LaggingReplicaResource.class, initArgs = {
        @ResourceArg(name = "streamq.durability.wait-timeout", value = "800ms"),
        @ResourceArg(name = "streamq.role", value = "api") })
class EveryReplicaTest {

    private static final String BODY = "{\"type\":\"noop\"}";

    @AfterEach
    void release() {
        LaggingReplicaResource.laggardLink.restore();
    }

    @Test
    void acknowledgedJobIsOnTheLaggingReplicaToo() throws Exception {
        given().contentType(ContentType.JSON).body(BODY).when().post("/queues/laggard/jobs").then().statusCode(202);
        LaggingReplicaResource.laggardLink.blackhole();
        // Held for less than the WAIT timeout: the answer waits for the laggard instead of failing.
        CompletableFuture<Void> hold = CompletableFuture.runAsync(() -> {
            Jobs.sleep(500);
            LaggingReplicaResource.laggardLink.restore();
        });
        String id = given().contentType(ContentType.JSON).body(BODY)
                .when().post("/queues/laggard/jobs").then().statusCode(202).extract().path("id");
        String key = "streamq:{laggard}:job:" + id;
        boolean onLaggard = LaggingReplicaResource.holds(LaggingReplicaResource.laggard, key);
        boolean held = !hold.isDone();
        hold.get();
        assertTrue(onLaggard, "acknowledged job " + id + " is not on the lagging replica"
                + (held ? " (answered while its stream was still held back)" : ""));
        assertTrue(LaggingReplicaResource.holds(LaggingReplicaResource.prompt, key));
    }

    @Test
    void replicaHeldPastTheWaitTimeoutIs503AndTheRetryReturnsTheSameJobOnEveryReplica() {
        LaggingReplicaResource.laggardLink.blackhole();
        given().contentType(ContentType.JSON).header("Idempotency-Key", "held-1").body(BODY)
                .when().post("/queues/laggard/jobs")
                .then().statusCode(503).header("Retry-After", "1").body("detail", containsString("2 replicas"));

        LaggingReplicaResource.laggardLink.restore();
        String id = given().contentType(ContentType.JSON).header("Idempotency-Key", "held-1").body(BODY)
                .when().post("/queues/laggard/jobs")
                .then().statusCode(200).body("replayed", equalTo(true)).extract().path("id");
        String key = "streamq:{laggard}:job:" + id;
        assertTrue(LaggingReplicaResource.holds(LaggingReplicaResource.laggard, key));
        assertTrue(LaggingReplicaResource.holds(LaggingReplicaResource.prompt, key));
    }

    /**
     * The master forgets a replica whose link broke, but Sentinel could still promote it (it is
     * up, and its link has been down for less than 10 × down-after): a 2xx now would be a job
     * that replica lacks, so the API refuses until the replica is back.
     */
    @Test
    void replicaCutOffFromTheMasterButPromotableIs503UntilItIsBack() {
        LaggingReplicaResource.laggardLink.cut();
        Await.condition("the master to forget the laggard", Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> LaggingReplicaResource.listedReplicas() == 1);
        given().contentType(ContentType.JSON).header("Idempotency-Key", "cut-1").body(BODY)
                .when().post("/queues/laggard/jobs")
                .then().statusCode(503).header("Retry-After", "1").body("detail", containsString("2 replicas"));

        LaggingReplicaResource.laggardLink.restore();
        LaggingReplicaResource.master.awaitReplicaAcks(2, Duration.ofSeconds(15));
        String id = given().contentType(ContentType.JSON).header("Idempotency-Key", "cut-1").body(BODY)
                .when().post("/queues/laggard/jobs")
                .then().statusCode(200).body("replayed", equalTo(true)).extract().path("id");
        assertTrue(LaggingReplicaResource.holds(LaggingReplicaResource.laggard, "streamq:{laggard}:job:" + id));
    }
}

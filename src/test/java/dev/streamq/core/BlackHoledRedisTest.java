package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.NetPartition;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A black-holed Redis (iptables DROP on its loopback port: no RST, no reply, as in a network
 * partition) costs a request its retry budget, then 503 + Retry-After; all recovers once the
 * rule is gone. Needs root; skipped elsewhere.
 */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class BlackHoledRedisTest {

    private static final long ANSWER_WITHIN_MS = 3_000;

    @Test
    void blackHoledRedisAnswers503WithinTheBudgetAndRecoversAfterHealing() {
        Assumptions.assumeTrue(NetPartition.available(), NetPartition.unavailableReason());
        Jobs.awaitState(Jobs.submit("holed", "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(15));
        try (NetPartition partition = new NetPartition()) {
            partition.isolate(RedisServerResource.current.port());
            for (int i = 0; i < 3; i++) {
                long started = System.currentTimeMillis();
                given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}")
                        .when().post("/queues/holed/jobs")
                        .then().statusCode(503).header("Retry-After", "1").contentType("application/problem+json")
                        .body("detail", containsString("Redis is unavailable"));
                long took = System.currentTimeMillis() - started;
                assertTrue(took < ANSWER_WITHIN_MS, "submit " + i + " to a black-holed Redis took " + took + " ms");
            }
            given().when().get("/q/health/ready").then().statusCode(503);
        }
        // TCP retransmits what was held back once the rule is gone; new connections go through at once
        Await.condition("a submit to succeed after healing", Duration.ofSeconds(60), Duration.ofMillis(500),
                () -> given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}")
                        .when().post("/queues/holed/jobs").statusCode() == 202);
        Jobs.awaitState(Jobs.submit("holed", "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(30));
    }
}

package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A Redis that stops answering (SIGSTOP: sockets open, no replies) costs a request its retry
 * budget, not the length of the stall: 503 + Retry-After, and the worker backs off and reads
 * again once Redis is back.
 */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class HungRedisTest {

    /** Test profile retry budget (1 s) plus the per-command deadline's slack for a loaded machine. */
    private static final long ANSWER_WITHIN_MS = 3_000;

    @Test
    void stoppedRedisAnswers503WithinTheBudgetAndWorkersBackOff() {
        Jobs.awaitState(Jobs.submit("hung", "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(15));
        String refused = "streamq_api_refused_total{reason=\"timeout\"}";
        double refusedBefore = SeriesBeforeFirstEventTest.sample(SeriesBeforeFirstEventTest.scrape(), refused);
        try (CapturedEvents events = CapturedEvents.start()) {
            try (StoppedRedis stopped = StoppedRedis.stop(RedisServerResource.current)) {
                long started = System.currentTimeMillis();
                given().contentType(ContentType.JSON).header("Idempotency-Key", "while-stopped").body("{\"type\":\"noop\"}")
                        .when().post("/queues/hung/jobs")
                        .then().statusCode(503).header("Retry-After", "1").contentType("application/problem+json")
                        .body("status", equalTo(503), "detail", containsString("Redis is unavailable (timeout)"));
                long took = System.currentTimeMillis() - started;
                assertTrue(took < ANSWER_WITHIN_MS, "a submit to a stopped Redis took " + took + " ms");
                assertEquals(refusedBefore + 1, SeriesBeforeFirstEventTest.sample(SeriesBeforeFirstEventTest.scrape(), refused),
                        "the 503 is counted for RequestsRefused");

                // the worker's XREADGROUP BLOCK 2 s gets its deadline at block + command timeout (4 s);
                // the API's own redis_error lines (operation enqueue) do not count
                Await.condition("the worker's read to fail and back off", Duration.ofSeconds(10), Duration.ofMillis(100),
                        () -> events.lines("redis_error").stream().anyMatch(f -> "read".equals(f.get("operation"))));
            }
            // 200 when the stalled write landed once Redis went on: the same key then names that job
            String after = given().contentType(ContentType.JSON).header("Idempotency-Key", "while-stopped")
                    .body("{\"type\":\"noop\"}").when().post("/queues/hung/jobs")
                    .then().statusCode(anyOf(equalTo(200), equalTo(202))).extract().path("id");
            Jobs.awaitState(after, "succeeded", Duration.ofSeconds(15));
            assertTrue(events.count("worker_resumed", null) > 0, "the worker said it reads again");
        }
    }
}

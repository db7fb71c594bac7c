package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.worker.RetryPolicy;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job's life through the real API, workers and a real redis-server (test profile: short backoffs and timeouts). */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class JobLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void submittedJobRunsAndSucceeds() {
        given().contentType(ContentType.JSON).body("{\"type\":\"sleep\",\"payload\":{\"ms\":5}}")
                .when().post("/queues/default/jobs")
                .then().statusCode(202)
                .header("Location", containsString("/jobs/default~"))
                .body("queue", equalTo("default"), "state", equalTo("queued"), "replayed", equalTo(false));
        String id = Jobs.submit("default", "{\"type\":\"noop\"}");
        JsonPath job = Jobs.awaitState(id, "succeeded", WAIT);
        assertEquals(1, job.getInt("attempts"));
        assertEquals("noop", job.getString("type"));
        JsonPath slept = Jobs.awaitState(Jobs.submit("default", "{\"type\":\"sleep\",\"payload\":{\"ms\":30}}"),
                "succeeded", WAIT);
        assertEquals(30, slept.getInt("result.slept_ms"));
    }

    @Test
    void failingJobIsRetriedThenSucceeds() {
        String id = Jobs.submit("retry", "{\"type\":\"fail\",\"payload\":{\"failures\":2},\"maxAttempts\":5}");
        JsonPath job = Jobs.awaitState(id, "succeeded", WAIT);
        assertEquals(3, job.getInt("attempts"));
        assertEquals(3, job.getInt("result.succeeded_on_attempt"));
        assertEquals("planned failure 2 of 2", job.getString("lastError"));
    }

    @Test
    void jobIsDeadLetteredAfterMaxAttemptsWithRetriesSpacedByThePolicy() {
        String id = Jobs.submit("dying", "{\"type\":\"recorded-failure\",\"maxAttempts\":5}");
        JsonPath job = Jobs.awaitState(id, "dead", WAIT);
        List<Long> starts = AttemptRecorder.STARTS.get(id);
        assertEquals(5, job.getInt("attempts"));
        assertEquals("max_attempts", job.getString("deadReason"));
        assertEquals(5, starts.size(), "one start per attempt: " + starts);
        // test profile: backoff 100 ms doubling, capped at 400 ms; full jitter => gap in [0, ceiling] + promote slack
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(400), 2.0);
        long gaps = 0;
        long ceilings = 0;
        for (int n = 1; n < starts.size(); n++) {
            long gap = starts.get(n) - starts.get(n - 1);
            long ceiling = policy.ceiling(n).toMillis();
            assertTrue(gap <= ceiling + 250, "gap after attempt " + n + " was " + gap + " ms, ceiling " + ceiling);
            gaps += gap;
            ceilings += ceiling;
        }
        // retries do wait: four uniform draws summing under a tenth of their ceilings is a ~1e-4 event
        assertTrue(gaps >= ceilings / 10, "retries came back too fast: " + gaps + " ms in all, ceilings " + ceilings);
        given().when().get("/queues/dying/dead").then().statusCode(200)
                .body("items.jobId", hasItem(id), "items[0].reason", equalTo("max_attempts"));
    }

    @Test
    void everyFailedAttemptIsLoggedAndTheDeadLetterCarriesItsReasonAsAField() {
        try (CapturedEvents events = CapturedEvents.start()) {
            String id = Jobs.submit("logged-dying", "{\"type\":\"fail\",\"payload\":{\"failures\":9},\"maxAttempts\":3}");
            Jobs.awaitState(id, "dead", WAIT);
            Await.condition("the dead letter's line", WAIT, Duration.ofMillis(50),
                    () -> !events.lines("job_dead_lettered", "logged-dying", id).isEmpty());
            assertEquals(List.of("1", "2", "3"), attempts(events.lines("job_failed", "logged-dying", id)),
                    "job_failed for every attempt, the last one before the dead letter too");
            assertEquals(List.of("1", "2"), attempts(events.lines("job_retry_scheduled", "logged-dying", id)));
            Map<String, String> dead = events.lines("job_dead_lettered", "logged-dying", id).get(0);
            assertEquals("max_attempts", dead.get("reason"));
            assertEquals("3", dead.get("attempt"));
            assertEquals("planned failure 3 of 9", dead.get("error"));
        }
    }

    private static List<String> attempts(List<Map<String, String>> lines) {
        return lines.stream().map(f -> f.get("attempt")).toList();
    }

    @Test
    void deadJobsCanBeRedrivenOneOrAll() {
        String one = Jobs.submit("redrive", "{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":1}");
        String two = Jobs.submit("redrive", "{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":1}");
        Jobs.awaitState(one, "dead", WAIT);
        Jobs.awaitState(two, "dead", WAIT);

        given().when().post("/jobs/" + one + "/redrive").then().statusCode(200).body("redriven", equalTo(true));
        // attempts restart from zero, so attempt 1 fails again... unless the job succeeds on its next run:
        // the fail handler fails attempts <= failures (1), so a redriven job fails once more and dies again.
        JsonPath again = Jobs.awaitState(one, "dead", WAIT);
        assertEquals(1, again.getInt("attempts"));

        given().contentType(ContentType.JSON).when().post("/queues/redrive/dead/redrive")
                .then().statusCode(200).body("redriven", equalTo(2));
        Jobs.awaitState(two, "dead", WAIT);
        given().when().post("/jobs/" + two + "/redrive").then().statusCode(200);
        given().when().post("/jobs/redrive~0190f0f0-0000-7000-8000-000000000000/redrive").then().statusCode(404);
    }

    @Test
    void deadLettersArePagedOldestFirst() {
        List<String> ids = List.of(
                Jobs.submit("pages", "{\"type\":\"fail\",\"maxAttempts\":1}"),
                Jobs.submit("pages", "{\"type\":\"fail\",\"maxAttempts\":1}"),
                Jobs.submit("pages", "{\"type\":\"fail\",\"maxAttempts\":1}"));
        ids.forEach(id -> Jobs.awaitState(id, "dead", WAIT));
        JsonPath first = given().when().get("/queues/pages/dead?limit=2").then().statusCode(200).extract().jsonPath();
        assertEquals(2, first.getList("items").size());
        String next = first.getString("next");
        JsonPath second = given().when().get("/queues/pages/dead?limit=2&after=" + next).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(1, second.getList("items").size());
        assertEquals(null, second.getString("next"), "the last page has no next cursor");
        List<String> paged = new java.util.ArrayList<>(first.getList("items.jobId", String.class));
        paged.addAll(second.getList("items.jobId", String.class));
        assertEquals(ids.stream().sorted().toList(), paged.stream().sorted().toList(), "every dead job, once");
    }

    @Test
    void redrivingAJobThatIsNotDeadIsAConflict() {
        String id = Jobs.submit("default", "{\"type\":\"noop\"}");
        Jobs.awaitState(id, "succeeded", WAIT);
        given().when().post("/jobs/" + id + "/redrive").then().statusCode(409)
                .contentType("application/problem+json").body("status", equalTo(409));
    }

    @Test
    void sameIdempotencyKeyReturnsTheSameJob() {
        String body = "{\"type\":\"noop\"}";
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", "order-42").body(body)
                .when().post("/queues/idem/jobs").then().statusCode(202).extract().path("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "order-42").body(body)
                .when().post("/queues/idem/jobs")
                .then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first), "replayed", equalTo(true));
        Jobs.awaitState(first, "succeeded", WAIT);
        Jobs.sleep(1100); // past the stats cache TTL
        given().when().get("/queues/idem").then().statusCode(200).body("ready", equalTo(0), "pending", equalTo(0));
        // one job, one run: a replay never runs the job again
        assertEquals(1, Jobs.get(first).getInt("attempts"));
    }

    @Test
    void reusedKeyWithADifferentRequestIsRefusedAndWritesNothing() {
        given().contentType(ContentType.JSON).header("Idempotency-Key", "invoice-7").body("{\"type\":\"noop\"}")
                .when().post("/queues/idem/jobs").then().statusCode(202);
        given().contentType(ContentType.JSON).header("Idempotency-Key", "invoice-7")
                .body("{\"type\":\"noop\",\"payload\":{\"amount\":2}}")
                .when().post("/queues/idem/jobs")
                .then().statusCode(422).contentType("application/problem+json").body("field", equalTo("Idempotency-Key"));
        // a batch whose second job conflicts writes none of its jobs, not even the first
        given().contentType(ContentType.JSON)
                .body("{\"jobs\":[{\"type\":\"noop\",\"idempotencyKey\":\"invoice-8\"},"
                        + "{\"type\":\"sleep\",\"idempotencyKey\":\"invoice-7\"}]}")
                .when().post("/queues/idem/jobs/batch")
                .then().statusCode(422).body("field", equalTo("jobs[1].idempotencyKey"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", "invoice-8").body("{\"type\":\"noop\"}")
                .when().post("/queues/idem/jobs").then().statusCode(202).body("replayed", equalTo(false));
    }

    @Test
    void scheduledJobDoesNotRunBeforeItsTime() {
        Instant runAt = Instant.now().plusMillis(1500);
        String id = Jobs.submit("later", "{\"type\":\"noop\",\"runAt\":\"" + runAt + "\"}");
        assertEquals("scheduled", Jobs.get(id).getString("state"));
        JsonPath done = Jobs.awaitState(id, "succeeded", WAIT);
        Instant started = Instant.parse(done.getString("startedAt"));
        assertTrue(!started.isBefore(runAt), "started " + started + " before runAt " + runAt);
    }

    @Test
    void longJobKeepsItsLeaseAndIsNotReclaimedWhileRunning() {
        // test profile: visibility timeout 2 s, lease renewed every 500 ms; the job runs twice as long
        String id = Jobs.submit("long", "{\"type\":\"sleep\",\"payload\":{\"ms\":4000}}");
        JsonPath job = Jobs.awaitState(id, "succeeded", WAIT);
        assertEquals(1, job.getInt("attempts"), "a reclaim would have started a second attempt");
        String metrics = given().when().get("/q/metrics").then().extract().asString();
        // the counter is exported at 0 once the queue is known, and must stay there
        Double reclaimed = SeriesBeforeFirstEventTest.sample(metrics, "streamq_jobs_reclaimed_total{queue=\"long\"}");
        assertTrue(reclaimed == null || reclaimed == 0.0, "nothing reclaimed: " + reclaimed);
    }

    @Test
    void handlerThatNeverFinishesTimesOutAndIsRetried() {
        // test profile: job timeout 5 s
        String id = Jobs.submit("hung", "{\"type\":\"sleep\",\"payload\":{\"ms\":60000},\"maxAttempts\":1}");
        JsonPath job = Jobs.awaitState(id, "dead", WAIT);
        assertEquals("handler did not finish within 5 s", job.getString("lastError"));
    }

    @Test
    void jobWithoutHandlerIsDeadLetteredNotRetried() {
        String id = Jobs.submit("default", "{\"type\":\"nobody-handles-this\",\"maxAttempts\":10}");
        JsonPath job = Jobs.awaitState(id, "dead", WAIT);
        assertEquals(1, job.getInt("attempts"));
        assertEquals("no_handler", job.getString("deadReason"));
    }

    @Test
    void batchSubmitEnqueuesEveryJobAndHonoursPerJobKeys() {
        StringBuilder body = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < 50; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"noop\",\"idempotencyKey\":\"b-").append(i % 25).append("\"}");
        }
        body.append("]}");
        JsonPath answer = given().contentType(ContentType.JSON).body(body.toString())
                .when().post("/queues/batch/jobs/batch").then().statusCode(202).extract().jsonPath();
        List<String> ids = answer.getList("jobs.id");
        assertEquals(50, ids.size());
        assertEquals(25, ids.stream().distinct().count(), "keys repeated inside the batch name one job each");
        assertEquals(25, answer.getList("jobs.replayed", Boolean.class).stream().filter(r -> r).count());
        ids.stream().distinct().forEach(id -> Jobs.awaitState(id, "succeeded", WAIT));
    }

    @Test
    void queuesShowTheirDepth() {
        Jobs.awaitState(Jobs.submit("stats", "{\"type\":\"noop\"}"), "succeeded", WAIT);
        Jobs.submit("stats", "{\"type\":\"noop\",\"runAt\":\"2999-01-01T00:00:00Z\"}");
        Jobs.sleep(1100); // past the stats cache TTL
        given().when().get("/queues/stats").then().statusCode(200)
                .body("queue", equalTo("stats"), "delayed", equalTo(1), "ready", equalTo(0), "consumers", notNullValue());
        given().when().get("/queues").then().statusCode(200).body("queue", hasItem("stats"));
    }

    /** These tests cover the Broker's RESP3 reply shapes (maps); Resp2Test covers RESP2. */
    @Test
    void theServiceNegotiatesResp3() {
        Jobs.awaitState(Jobs.submit("protocol", "{\"type\":\"noop\"}"), "succeeded", WAIT);
        try (var redis = RedisServerResource.current.client()) {
            String clients = redis.callString("CLIENT", "LIST");
            assertTrue(clients.contains("resp=3"), clients);
        }
    }

    @Test
    void unknownJobIsNotFound() {
        given().when().get("/jobs/default~0190f0f0-0000-7000-8000-000000000000").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
        given().when().get("/jobs/not-an-id").then().statusCode(404);
    }

    @Test
    void metricsCountWhatHappened() {
        Jobs.awaitState(Jobs.submit("metered", "{\"type\":\"noop\"}"), "succeeded", WAIT);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("streamq_jobs_enqueued_total{queue=\"metered\"}"), "enqueued counter");
        assertTrue(metrics.contains("streamq_jobs_completed_total{outcome=\"succeeded\",queue=\"metered\"}"),
                "completed counter");
        assertTrue(metrics.contains("streamq_job_latency_seconds_bucket{queue=\"metered\""), "latency histogram");
        assertTrue(metrics.contains("streamq_job_handler_duration_seconds_count{queue=\"metered\",type=\"noop\"}"),
                "handler histogram");
    }

    @Test
    void healthSaysRedisIsAMasterAndTheWorkerLoopIsAlive() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("redis-master"), "checks.name", hasItem("worker-loop"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("/queues/{queue}/jobs"));
    }
}

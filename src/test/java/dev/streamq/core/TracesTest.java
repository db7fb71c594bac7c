package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import dev.streamq.queue.QueueName;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, a job's submit and every attempt of it are one trace: each attempt's CONSUMER
 * span is a child of the submit's HTTP server span (the span current when the API stored the
 * context), across a retry and a reclaim, and the job's log lines carry that trace.
 */
@QuarkusTest
@TestProfile(TracesTest.TracingOn.class)
@WithTestResource(RedisServerResource.class)
class TracesTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "20ms");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("streamq.job.attempt");

    @Inject
    InMemorySpanExporter spans;

    @Test
    void submitAndEveryAttemptShareTheSubmittersTraceAcrossARetry() {
        String traceId = hex(16);
        String callerSpan = hex(8);
        try (CapturedEvents events = CapturedEvents.start()) {
            String id = given().contentType(ContentType.JSON)
                    .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                    .header("tracestate", "producer=abc")
                    .body("{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":3}")
                    .when().post("/queues/traced/jobs")
                    .then().statusCode(202).extract().path("id");
            Jobs.awaitState(id, "succeeded", WAIT);
            List<SpanData> attempts = attemptSpans(id, 2);

            SpanData submit = serverSpan(traceId);
            assertEquals(callerSpan, submit.getParentSpanId(), "the submit continues the caller's trace");
            assertEquals("00-" + traceId + "-" + submit.getSpanId() + "-01", stored(id, "traceparent"),
                    "the job stores the submit span's context");
            assertEquals("producer=abc", stored(id, "tracestate"));

            for (SpanData attempt : attempts) {
                assertEquals(traceId, attempt.getTraceId());
                assertEquals(submit.getSpanId(), attempt.getParentSpanId(), "attempt " + attempt.getAttributes().get(ATTEMPT));
                assertEquals(SpanKind.CONSUMER, attempt.getKind());
                assertEquals("process traced", attempt.getName());
                assertEquals("streamq", attempt.getAttributes().get(AttributeKey.stringKey("messaging.system")));
                assertEquals("traced", attempt.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")));
                assertEquals("abc", attempt.getSpanContext().getTraceState().get("producer"));
            }
            assertEquals(List.of(1L, 2L), attempts.stream().map(s -> s.getAttributes().get(ATTEMPT)).toList());
            assertEquals(StatusCode.ERROR, attempts.get(0).getStatus().getStatusCode());
            assertEquals("planned failure 1 of 1", attempts.get(0).getStatus().getDescription());
            assertEquals(StatusCode.UNSET, attempts.get(1).getStatus().getStatusCode());

            // the log lines link to the same spans, and carry nothing outside the vocabulary
            Map<String, String> enqueued = events.lines("job_enqueued", "traced", id).get(0);
            assertEquals(Map.of("event", "job_enqueued", "queue", "traced", "job_id", id,
                    "trace_id", traceId, "span_id", submit.getSpanId()), enqueued);
            List<Map<String, String>> started = events.lines("job_started", "traced", id);
            assertEquals(attempts.stream().map(SpanData::getSpanId).toList(), started.stream().map(l -> l.get("span_id")).toList());
            assertEquals(Set.of(traceId), Set.copyOf(events.lines("job_failed", "traced", id).stream()
                    .map(l -> l.get("trace_id")).toList()));
        }
    }

    /** Group commit sends concurrent single submits as one script call: each job still keeps its own request's trace. */
    @Test
    void concurrentSingleSubmitsEachKeepTheirOwnTrace() {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        List<String> traceIds = java.util.stream.IntStream.range(0, 30).mapToObj(i -> hex(16)).toList();
        List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> answers = traceIds.stream()
                .map(t -> http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                "http://localhost:" + io.restassured.RestAssured.port + "/queues/traced-group/jobs"))
                        .header("Content-Type", "application/json").header("traceparent", "00-" + t + "-" + hex(8) + "-01")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\":\"noop\"}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()))
                .toList();
        for (int i = 0; i < traceIds.size(); i++) {
            java.net.http.HttpResponse<String> answer = answers.get(i).join();
            assertEquals(202, answer.statusCode(), answer.body());
            String id = io.restassured.path.json.JsonPath.from(answer.body()).getString("id");
            assertEquals(traceIds.get(i), stored(id, "traceparent").split("-")[1], "job " + id + " of request " + i);
        }
    }

    @Test
    void withoutATraceparentATraceStartsAtTheSubmitAndReachesEveryJobOfABatch() {
        List<String> ids = given().contentType(ContentType.JSON)
                .body("{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\"}]}")
                .when().post("/queues/untraced/jobs/batch")
                .then().statusCode(202).extract().path("jobs.id");
        ids.forEach(id -> Jobs.awaitState(id, "succeeded", WAIT));
        String traceId = attemptSpans(ids.get(0), 1).get(0).getTraceId();
        SpanData submit = serverSpan(traceId);
        assertFalse(submit.getParentSpanContext().isValid(), "the submit is the trace's root");
        for (String id : ids) {
            SpanData attempt = attemptSpans(id, 1).get(0);
            assertEquals(traceId, attempt.getTraceId());
            assertEquals(submit.getSpanId(), attempt.getParentSpanId());
        }
    }

    @Test
    void aReclaimedAttemptStaysInTheJobsTrace() {
        String traceId = hex(16);
        String submitSpan = hex(8);
        String id;
        try (RespClient redis = RedisServerResource.current.client()) {
            id = AbandonedJob.leave(redis, "traced-reclaim", 1);
            // as the API stores it; the entry stays unclaimed for the visibility timeout, long after this write
            redis.call("HSET", new QueueName("traced-reclaim").job(id), "traceparent", "00-" + traceId + "-" + submitSpan + "-01");
        }
        Jobs.awaitState(id, "succeeded", WAIT);
        SpanData attempt = attemptSpans(id, 1).get(0);
        assertEquals(2L, attempt.getAttributes().get(ATTEMPT), "the attempt after the abandoned one");
        assertEquals(traceId, attempt.getTraceId());
        assertEquals(submitSpan, attempt.getParentSpanId());
    }

    @Test
    void aHandlersOwnSpanNestsUnderItsAttemptOnTheHandlerThread() {
        String id = Jobs.submit("traced-handler", "{\"type\":\"spanning\"}");
        Jobs.awaitState(id, "succeeded", WAIT);
        SpanData attempt = attemptSpans(id, 1).get(0);
        SpanData work = Await.until("the handler's span", WAIT, Duration.ofMillis(20), () -> spans.getFinishedSpanItems().stream()
                .filter(s -> SpanningHandler.SPAN.equals(s.getName()) && attempt.getTraceId().equals(s.getTraceId()))
                .findFirst().orElse(null));
        assertEquals(attempt.getSpanId(), work.getParentSpanId());
    }

    @Test
    void aTimedOutHandlerInItsSpanIsStillInterruptedAndTheSpanFails() {
        String id = Jobs.submit("traced-overrun", "{\"type\":\"spin-until-interrupted\",\"maxAttempts\":1}");
        Jobs.awaitState(id, "dead", Duration.ofSeconds(20));
        Await.condition("the handler's thread to be interrupted", WAIT, Duration.ofMillis(50),
                () -> SpinUntilInterrupted.INTERRUPTED.contains(id));
        SpanData attempt = attemptSpans(id, 1).get(0);
        assertEquals(StatusCode.ERROR, attempt.getStatus().getStatusCode());
        assertEquals("handler did not finish within 5 s", attempt.getStatus().getDescription());
    }

    /** The job's attempt spans, in attempt order, once {@code count} have ended. */
    private List<SpanData> attemptSpans(String jobId, int count) {
        return Await.until(count + " attempt spans of " + jobId, WAIT, Duration.ofMillis(20), () -> {
            List<SpanData> found = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getKind() == SpanKind.CONSUMER && jobId.equals(s.getAttributes().get(MESSAGE_ID)))
                    .sorted(Comparator.comparing(s -> s.getAttributes().get(ATTEMPT)))
                    .toList();
            return found.size() >= count ? found : null;
        });
    }

    private SpanData serverSpan(String traceId) {
        return Await.until("the submit's server span", WAIT, Duration.ofMillis(20), () -> spans.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER && traceId.equals(s.getTraceId()))
                .findFirst().orElse(null));
    }

    private static String stored(String jobId, String field) {
        String queue = jobId.substring(0, jobId.indexOf('~'));
        try (RespClient redis = RedisServerResource.current.client()) {
            return redis.callString("HGET", new QueueName(queue).job(jobId), field);
        }
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}

package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.streamq.lab.RespClient;
import dev.streamq.queue.QueueName;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tracing as shipped (SDK disabled): a traceparent from the caller is neither continued nor
 * stored, no span is exported, and no log line carries a trace field. What "off costs nothing"
 * rests on.
 */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class TracesOffTest {

    @Inject
    InMemorySpanExporter spans;

    @Test
    void withTracingOffAJobCarriesNoTraceAndNoSpanIsExported() {
        try (CapturedEvents events = CapturedEvents.start()) {
            String id = given().contentType(ContentType.JSON)
                    .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                    .body("{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":3}")
                    .when().post("/queues/untraced-off/jobs")
                    .then().statusCode(202).extract().path("id");
            Jobs.awaitState(id, "succeeded", Duration.ofSeconds(15));
            try (RespClient redis = RedisServerResource.current.client()) {
                String job = new QueueName("untraced-off").job(id);
                assertEquals(0L, redis.callLong("HEXISTS", job, "traceparent"));
                assertEquals(0L, redis.callLong("HEXISTS", job, "tracestate"));
            }
            assertEquals(List.of(), spans.getFinishedSpanItems());
            List<Map<String, String>> lines = events.lines("job_started", "untraced-off", id);
            assertEquals(2, lines.size());
            lines.forEach(line -> assertFalse(line.containsKey("trace_id"), line.toString()));
        }
    }
}

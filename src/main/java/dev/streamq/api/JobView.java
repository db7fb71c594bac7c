package dev.streamq.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.queue.Job;
import java.time.Instant;

/** A job as GET /jobs/{id} shows it; times are ISO-8601 instants, absent until reached. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record JobView(
        String id,
        String queue,
        String type,
        String state,
        int attempts,
        int maxAttempts,
        JsonNode payload,
        JsonNode result,
        String lastError,
        String deadReason,
        String idempotencyKey,
        Instant createdAt,
        Instant runAt,
        Instant startedAt,
        Instant finishedAt,
        Instant updatedAt) {

    static JobView of(Job job, ObjectMapper json) {
        return new JobView(job.id(), job.queue().value(), job.type(), job.state().stored(), job.attempts(),
                job.maxAttempts(), parse(job.payload(), json), parse(job.result(), json), job.lastError(),
                job.deadReason(), job.idempotencyKey(), instant(job.createdAt()), instant(job.runAt()),
                instant(job.startedAt()), instant(job.finishedAt()), instant(job.updatedAt()));
    }

    private static Instant instant(long millis) {
        return millis <= 0 ? null : Instant.ofEpochMilli(millis);
    }

    private static JsonNode parse(String text, ObjectMapper json) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (Exception e) {
            return json.getNodeFactory().textNode(text);
        }
    }
}

package dev.streamq.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job as a producer submits it. {@code idempotencyKey} is read only in batches; a single
 * submission takes it from the Idempotency-Key header.
 */
@RegisterForReflection
public record JobRequest(String type, JsonNode payload, Integer maxAttempts, String runAt, String idempotencyKey) {}

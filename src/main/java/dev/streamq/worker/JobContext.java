package dev.streamq.worker;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.context.Context;

/**
 * What a handler sees of the job it runs. Delivery is at-least-once: a handler must
 * tolerate running again for the same id (the attempt number says which run this is).
 *
 * @param trace the attempt's OpenTelemetry context (its span; an invalid one when tracing is
 *     off): work the handler moves to another thread runs in it with {@code trace.wrap(task)},
 *     so its spans nest under the attempt. A blocking handler's thread gets it that way.
 */
public record JobContext(String id, String queue, String type, int attempt, int maxAttempts, JsonNode payload,
        Context trace) {}

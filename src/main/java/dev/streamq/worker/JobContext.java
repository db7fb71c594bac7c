package dev.streamq.worker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a handler sees of the job it runs. Delivery is at-least-once: a handler must
 * tolerate running again for the same id (the attempt number says which run this is).
 */
public record JobContext(String id, String queue, String type, int attempt, int maxAttempts, JsonNode payload) {}

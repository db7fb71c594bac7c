package dev.streamq.queue;

/** A delivery whose handler succeeded, with its result (JSON text; null for none), to record. */
public record Completion(Delivery delivery, String result) {}

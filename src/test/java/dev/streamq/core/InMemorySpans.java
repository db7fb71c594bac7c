package dev.streamq.core;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The span exporter of the tests: spans stay in memory for a test to read. A SpanExporter bean
 * replaces Quarkus' OTLP exporter; it receives spans only where a test profile turns the SDK on
 * (the shipped default keeps it disabled).
 */
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}

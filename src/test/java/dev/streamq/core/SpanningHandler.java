package dev.streamq.core;

import dev.streamq.worker.BlockingJobHandler;
import dev.streamq.worker.JobContext;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.context.ApplicationScoped;

/** A test handler (job type "spanning") that does its work in a span of its own, on a handler thread. */
@ApplicationScoped
public class SpanningHandler implements BlockingJobHandler {

    static final String SPAN = "spanning work";

    private final Tracer tracer;

    SpanningHandler(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public String type() {
        return "spanning";
    }

    @Override
    public Object handleBlocking(JobContext job) {
        tracer.spanBuilder(SPAN).startSpan().end();
        return null;
    }
}

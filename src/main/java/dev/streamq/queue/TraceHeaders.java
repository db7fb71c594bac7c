package dev.streamq.queue;

/**
 * The W3C trace context a job was submitted in ({@code traceparent}, {@code tracestate}), as the
 * job hash stores it; empty strings when the submission had none. The queue only carries it:
 * what it means is {@code dev.streamq.trace.JobTracing}'s business.
 */
public record TraceHeaders(String traceparent, String tracestate) {

    public static final TraceHeaders NONE = new TraceHeaders("", "");

    public boolean isEmpty() {
        return traceparent.isEmpty();
    }
}

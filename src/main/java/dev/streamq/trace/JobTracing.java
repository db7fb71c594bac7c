package dev.streamq.trace;

import dev.streamq.queue.Attempt;
import dev.streamq.queue.Broker;
import dev.streamq.queue.TraceHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A job's trace: the submitting request's span context is stored with the job (W3C
 * {@code traceparent}/{@code tracestate}), and every attempt runs in a CONSUMER span whose
 * parent is that context, so submit and each attempt (retries and reclaims included) form one
 * trace. With the SDK disabled (the shipped default) no field is stored, no span is started and
 * the handler runs exactly as it would without tracing.
 */
@ApplicationScoped
public class JobTracing {

    // OpenTelemetry messaging semantic conventions; written out here rather than taken from the
    // incubating semconv artifact, whose constants may move between releases.
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    // No convention names a job's attempt or type: streamq's own namespace.
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("streamq.job.attempt");
    static final AttributeKey<String> JOB_TYPE = AttributeKey.stringKey("streamq.job.type");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<TraceHeaders> STORED = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceHeaders carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(TraceHeaders carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return switch (key) {
                case "traceparent" -> carrier.traceparent();
                case "tracestate" -> carrier.tracestate().isEmpty() ? null : carrier.tracestate();
                default -> null;
            };
        }
    };

    private final boolean enabled;
    private final Tracer tracer;

    JobTracing(OpenTelemetry openTelemetry, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean sdkDisabled) {
        this.enabled = !sdkDisabled;
        this.tracer = openTelemetry.getTracer("dev.streamq");
    }

    /**
     * The span the caller runs in (a submission: the HTTP server span of its request), or an
     * invalid context when tracing is off or there is none. An unsampled context is kept too:
     * the attempts then honour the submitter's decision not to sample (parent-based sampling)
     * instead of each starting a sampled trace of its own.
     */
    public SpanContext current() {
        return enabled ? Span.current().getSpanContext() : SpanContext.getInvalid();
    }

    /** What the job hash stores of {@code span}: NONE for an invalid context. */
    public TraceHeaders headers(SpanContext span) {
        if (!span.isValid()) {
            return TraceHeaders.NONE;
        }
        Map<String, String> carrier = new HashMap<>(4);
        W3C.inject(Context.root().with(Span.wrap(span)), carrier, Map::put);
        return new TraceHeaders(carrier.get("traceparent"), carrier.getOrDefault("tracestate", ""));
    }

    /**
     * Starts the span of one attempt, a child of the context the job was submitted in (a root
     * when it has none: submitted while tracing was off). Ended by {@link #end}.
     */
    public Span startAttempt(Attempt attempt) {
        if (!enabled) {
            return Span.getInvalid();
        }
        String queue = attempt.delivery().queue().value();
        SpanBuilder span = tracer.spanBuilder("process " + queue)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(MESSAGING_SYSTEM, "streamq")
                .setAttribute(DESTINATION, queue)
                .setAttribute(MESSAGE_ID, attempt.delivery().jobId())
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(OPERATION_NAME, "process")
                .setAttribute(CONSUMER_GROUP, Broker.GROUP)
                .setAttribute(ATTEMPT, (long) attempt.number())
                .setAttribute(JOB_TYPE, attempt.type());
        if (attempt.trace().isEmpty()) {
            span.setNoParent();
        } else {
            span.setParent(W3C.extract(Context.root(), attempt.trace(), STORED));
        }
        return span.startSpan();
    }

    /**
     * {@code work}'s Uni, made and subscribed with {@code span} current, so that what the handler
     * starts nests under the attempt: its own spans, and a blocking handler's thread (HandlerThreads
     * carries the context over). A scope around making the Uni is not enough: a Uni does its work
     * when subscribed, so the subscription itself runs with the span current.
     */
    public <T> Uni<T> within(Span span, Supplier<Uni<T>> work) {
        Uni<T> handler = Uni.createFrom().deferred(work::get);
        if (!span.getSpanContext().isValid()) {
            return handler;
        }
        io.vertx.core.Context caller = Vertx.currentContext();
        if (caller == null) {
            return handler.runSubscriptionOn(task -> {
                try (Scope ignored = span.makeCurrent()) {
                    task.run();
                }
            });
        }
        // On a Vert.x thread Quarkus keeps the OpenTelemetry context in a duplicated context's
        // locals; on the event loop's root context (where Redis replies arrive) makeCurrent() is
        // lost at once. So each attempt runs on a duplicated context of its own, with the span
        // attached for that context's whole life: a reactive handler's later callbacks on it
        // still see the span. The scope is left open on purpose: the context is dropped with the attempt.
        io.vertx.core.Context attempt = VertxContext.createNewDuplicatedContext(caller);
        return handler.runSubscriptionOn(task -> attempt.runOnContext(ignored -> {
            span.makeCurrent();
            task.run();
        }));
    }

    /** Ends an attempt's span: with error status when {@code error} is not null, else unset (success). */
    public void end(Span span, String error) {
        if (error != null) {
            span.setStatus(StatusCode.ERROR, error);
        }
        span.end();
    }
}

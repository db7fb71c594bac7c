package dev.streamq.log;

import io.opentelemetry.api.trace.SpanContext;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Writes one log line per {@link Event}, at the event's level, with its fields:
 * {@code EventLog.of(Event.JOB_FAILED).queue(q).jobId(id).attempt(2).error(e).log(LOG, "...")}.
 * The fields travel as MDC entries of the record itself (the JSON console format emits them
 * under "mdc"), not through the thread's MDC: on a Vert.x event loop outside a request the
 * thread MDC is not carried into the record. They are read at query time (LogQL
 * {@code | json}), never made Loki labels. A field the event does not declare is a bug in the
 * caller: it fails an assertion (tests run with -ea) and is dropped in production, so the
 * vocabulary stays the whole truth about what a line can carry. For the same reason a line
 * carries none of the thread's MDC (Quarkus' OpenTelemetry puts {@code traceId}, {@code spanId},
 * {@code sampled} there inside a request): the trace goes in {@link #trace} as the vocabulary's
 * {@code trace_id} and {@code span_id}, on whatever thread the line is written.
 */
public final class EventLog {

    /**
     * The log manager's logger of each category, looked up once: {@code Logger.getLogger} walks
     * the category tree name segment by name segment and makes a new Logger each call, which
     * was 3 % of the service's CPU with two lines per job (JFR, batch run). A Logger reads its
     * level from its tree node, so a cached one still follows level changes.
     */
    private static final Map<String, org.jboss.logmanager.Logger> TARGETS = new ConcurrentHashMap<>();

    private final Event event;
    private final Map<LogField, String> fields = new EnumMap<>(LogField.class);

    private EventLog(Event event) {
        this.event = event;
    }

    public static EventLog of(Event event) {
        return new EventLog(event);
    }

    public EventLog queue(String queue) {
        return with(LogField.QUEUE, queue);
    }

    public EventLog jobId(String jobId) {
        return with(LogField.JOB_ID, jobId);
    }

    /** An attempt's number; 0 (not known here) writes no field. */
    public EventLog attempt(int attempt) {
        return with(LogField.ATTEMPT, attempt > 0 ? Integer.toString(attempt) : null);
    }

    public EventLog error(String error) {
        return with(LogField.ERROR, error);
    }

    public EventLog reason(String reason) {
        return with(LogField.REASON, reason);
    }

    public EventLog kind(String kind) {
        return with(LogField.KIND, kind);
    }

    public EventLog operation(String operation) {
        return with(LogField.OPERATION, operation);
    }

    /** The span the line belongs to; an invalid one (tracing off, no span) writes no field. */
    public EventLog trace(SpanContext span) {
        if (span.isValid()) {
            with(LogField.TRACE_ID, span.getTraceId());
            with(LogField.SPAN_ID, span.getSpanId());
        }
        return this;
    }

    private EventLog with(LogField field, String value) {
        assert event.carries(field) : event.key() + " does not carry " + field.key() + " (dev.streamq.log.Event)";
        if (value != null && event.carries(field)) {
            fields.put(field, value);
        }
        return this;
    }

    /** Writes the line through {@code log}'s category, so per-class log levels still apply. */
    public void log(Logger log, String message) {
        log(log, message, null);
    }

    /** The same with the failure's stack trace, for a failure nobody expected. */
    public void log(Logger log, String message, Throwable thrown) {
        org.jboss.logmanager.Logger target = TARGETS.computeIfAbsent(log.getName(), org.jboss.logmanager.Logger::getLogger);
        java.util.logging.Level level = switch (event.level()) {
            case ERROR, FATAL -> org.jboss.logmanager.Level.ERROR;
            case WARN -> org.jboss.logmanager.Level.WARN;
            case INFO -> org.jboss.logmanager.Level.INFO;
            default -> org.jboss.logmanager.Level.DEBUG;
        };
        if (!target.isLoggable(level)) {
            return;
        }
        ExtLogRecord record = new ExtLogRecord(level, message, ExtLogRecord.FormatStyle.NO_FORMAT, EventLog.class.getName());
        record.setLoggerName(log.getName());
        record.setThrown(thrown);
        // an empty MDC of the record's own: putMdc would start from a copy of the thread's
        record.setMdc(Map.of());
        record.putMdc(LogField.EVENT.key(), event.key());
        fields.forEach((field, value) -> record.putMdc(field.key(), value));
        target.logRaw(record);
    }
}

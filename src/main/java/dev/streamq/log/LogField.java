package dev.streamq.log;

import java.util.Arrays;
import java.util.Optional;

/**
 * The fields an event line carries besides its message, under the JSON line's "mdc" object
 * (LogQL {@code | json} names them {@code mdc_<name>}). {@code event}, {@code queue} and
 * {@code job_id} are also Loki structured metadata (loki/config.alloy). No field is a Loki
 * label: job ids and errors have unbounded values.
 */
public enum LogField {
    /** The event's name ({@link Event#key()}); every event line has it. */
    EVENT("event"),
    QUEUE("queue"),
    JOB_ID("job_id"),
    /** The attempt's number, counted from 1 when a worker starts it. */
    ATTEMPT("attempt"),
    /** What went wrong, in the words of the failing handler or Redis. */
    ERROR("error"),
    /** Why a job left the queue for good: a {@code DeadReason} label (max_attempts, poison...). */
    REASON("reason"),
    /** What kind of Redis failure: a {@code RedisErrorKind} label (readonly, connection...). */
    KIND("kind"),
    /** Which Redis operation failed: a {@code RedisOperation} label (enqueue, start...). */
    OPERATION("operation"),
    /**
     * The W3C trace id of the span the line was written in (the submit's request, or the job's
     * attempt): a log line links to its trace. Only while tracing is on (docs/operations.md#traces).
     */
    TRACE_ID("trace_id"),
    /** The span id that goes with {@link #TRACE_ID}: the submit's server span, or the attempt's span. */
    SPAN_ID("span_id");

    private final String key;

    LogField(String key) {
        this.key = key;
    }

    public static Optional<LogField> ofKey(String key) {
        return Arrays.stream(values()).filter(f -> f.key.equals(key)).findFirst();
    }

    /** The name under "mdc" in the JSON line. */
    public String key() {
        return key;
    }
}

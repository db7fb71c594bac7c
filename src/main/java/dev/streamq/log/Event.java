package dev.streamq.log;

import static dev.streamq.log.LogField.ATTEMPT;
import static dev.streamq.log.LogField.ERROR;
import static dev.streamq.log.LogField.JOB_ID;
import static dev.streamq.log.LogField.KIND;
import static dev.streamq.log.LogField.OPERATION;
import static dev.streamq.log.LogField.QUEUE;
import static dev.streamq.log.LogField.REASON;
import static dev.streamq.log.LogField.SPAN_ID;
import static dev.streamq.log.LogField.TRACE_ID;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger.Level;

/**
 * Every event streamq logs: the one vocabulary that the LogQL cookbook, the dashboards, the
 * runbooks and the lab's drills read. A name here is a promise to operators' saved queries:
 * rename one only together with every query (dev.streamq.deploy.EventVocabularyTest fails
 * on any doc or config that names an event or field missing here, and on an event here
 * that neither docs/operations.md nor loki/queries.md mentions).
 */
public enum Event {
    // trace_id and span_id: on the lines written in a submit's request or a job's attempt, while tracing is on.

    // The API
    JOB_ENQUEUED(Level.INFO, QUEUE, JOB_ID, TRACE_ID, SPAN_ID),
    /** A submission whose Idempotency-Key matched an earlier job: that job is answered again. */
    JOB_REPLAYED(Level.INFO, QUEUE, JOB_ID, TRACE_ID, SPAN_ID),
    BATCH_ENQUEUED(Level.INFO, QUEUE, TRACE_ID, SPAN_ID),
    /** streamq.auth.enabled=false on an API process: every caller gets in (dev, tests, the lab). */
    API_AUTH_OFF(Level.WARN),
    /** A request failed for a reason no mapper knows (a bug): a 500, with the stack trace. */
    API_REQUEST_FAILED(Level.ERROR, ERROR),

    // A job's life on a worker
    JOB_STARTED(Level.INFO, QUEUE, JOB_ID, ATTEMPT, TRACE_ID, SPAN_ID),
    JOB_SUCCEEDED(Level.INFO, QUEUE, JOB_ID, ATTEMPT, TRACE_ID, SPAN_ID),
    /** Every failed attempt, the last one before a dead letter included; a retry or a dead letter follows. */
    JOB_FAILED(Level.WARN, QUEUE, JOB_ID, ATTEMPT, ERROR, TRACE_ID, SPAN_ID),
    JOB_RETRY_SCHEDULED(Level.WARN, QUEUE, JOB_ID, ATTEMPT, ERROR, TRACE_ID, SPAN_ID),
    JOB_DEAD_LETTERED(Level.WARN, QUEUE, JOB_ID, ATTEMPT, ERROR, REASON, TRACE_ID, SPAN_ID),
    /** Taken over from a consumer that held it past the visibility timeout; attempt = the abandoned one. */
    JOB_RECLAIMED(Level.WARN, QUEUE, JOB_ID, ATTEMPT),
    /** Succeeded again after an earlier success: at-least-once delivery made visible. */
    JOB_DUPLICATE(Level.WARN, QUEUE, JOB_ID, ATTEMPT, TRACE_ID, SPAN_ID),
    /** Handed back to the queue at shutdown, unstarted or unfinished. */
    JOB_RELEASED(Level.WARN, QUEUE, JOB_ID),
    /** Redis did not take a start or an outcome; the entry stays pending for the reclaimer. */
    JOB_UNRECORDED(Level.WARN, QUEUE, JOB_ID, ATTEMPT, ERROR, TRACE_ID, SPAN_ID),

    // Workers and queues
    WORKER_STARTED(Level.INFO),
    WORKER_STOPPING(Level.INFO),
    WORKER_RESUMED(Level.INFO),
    QUEUE_CONSUMED(Level.INFO, QUEUE),
    QUEUE_DROPPED(Level.INFO, QUEUE),
    QUEUE_FORGOTTEN(Level.INFO, QUEUE),

    // Redis
    /** A failed Redis call: the first of its kind and operation in a run of failures, then one every 10 s (RedisErrorLog). */
    REDIS_ERROR(Level.WARN, KIND, OPERATION, ERROR),
    REDIS_MASTER_LOST(Level.WARN, KIND, ERROR),
    REDIS_MASTER_RESTORED(Level.INFO),
    REDIS_FAILOVER(Level.WARN),
    REDIS_SENTINELS_BYPASSED(Level.WARN),
    REDIS_SENTINELS_BACK(Level.INFO),
    REDIS_AOF_OFF(Level.WARN),
    REDIS_AUTH_FAILED(Level.ERROR, ERROR),
    /** The TLS handshake with Redis failed for want of trust (startup check): the message names the setting. */
    REDIS_TLS_FAILED(Level.ERROR, ERROR);

    private final Level level;
    private final Set<LogField> fields;
    private final String key;

    Event(Level level, LogField... fields) {
        this.level = level;
        EnumSet<LogField> all = EnumSet.of(LogField.EVENT);
        all.addAll(Arrays.asList(fields));
        this.fields = Collections.unmodifiableSet(all);
        this.key = name().toLowerCase(Locale.ROOT); // once: every job writes several lines
    }

    /** The name in the log line and in every query: {@code job_dead_lettered}. */
    public String key() {
        return key;
    }

    public Level level() {
        return level;
    }

    /** The fields a line of this event may carry ({@link LogField#EVENT} always). */
    public Set<LogField> fields() {
        return fields;
    }

    public boolean carries(LogField field) {
        return fields.contains(field);
    }

    public static Optional<Event> named(String key) {
        return Arrays.stream(values()).filter(e -> e.key().equals(key)).findFirst();
    }
}

package dev.streamq.log;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Writes one log line per queue event with the stable fields event, queue, job_id, attempt
 * and error as MDC entries, which the JSON console format emits as fields of that line's
 * object. They are read at query time (LogQL `| json`), never made Loki labels.
 */
public final class EventLog {

    private EventLog() {}

    public static void info(Logger log, String event, String queue, String jobId, int attempt, String message) {
        write(log, Logger.Level.INFO, event, queue, jobId, attempt, null, message);
    }

    public static void warn(Logger log, String event, String queue, String jobId, int attempt, String error,
            String message) {
        write(log, Logger.Level.WARN, event, queue, jobId, attempt, error, message);
    }

    public static void write(Logger log, Logger.Level level, String event, String queue, String jobId, int attempt,
            String error, String message) {
        if (!log.isEnabled(level)) {
            return;
        }
        MDC.put("event", event);
        put("queue", queue);
        put("job_id", jobId);
        if (attempt > 0) {
            MDC.put("attempt", Integer.toString(attempt));
        }
        put("error", error);
        try {
            log.log(level, message);
        } finally {
            MDC.remove("event");
            MDC.remove("queue");
            MDC.remove("job_id");
            MDC.remove("attempt");
            MDC.remove("error");
        }
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }
}

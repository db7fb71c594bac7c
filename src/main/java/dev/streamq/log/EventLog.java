package dev.streamq.log;

import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Writes one log line per queue event with the stable fields event, queue, job_id, attempt
 * and error. They travel as MDC entries of the record itself (the JSON console format emits
 * them under "mdc"), not through the thread's MDC: on a Vert.x event loop outside a request
 * the thread MDC is not carried into the record. They are read at query time
 * (LogQL `| json`), never made Loki labels.
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
        org.jboss.logmanager.Logger target = org.jboss.logmanager.Logger.getLogger(log.getName());
        java.util.logging.Level julLevel = level == Logger.Level.WARN
                ? org.jboss.logmanager.Level.WARN
                : org.jboss.logmanager.Level.INFO;
        if (!target.isLoggable(julLevel)) {
            return;
        }
        ExtLogRecord record = new ExtLogRecord(julLevel, message, ExtLogRecord.FormatStyle.NO_FORMAT, EventLog.class.getName());
        record.setLoggerName(log.getName());
        record.putMdc("event", event);
        put(record, "queue", queue);
        put(record, "job_id", jobId);
        if (attempt > 0) {
            record.putMdc("attempt", Integer.toString(attempt));
        }
        put(record, "error", error);
        target.logRaw(record);
    }

    private static void put(ExtLogRecord record, String key, String value) {
        if (value != null) {
            record.putMdc(key, value);
        }
    }
}

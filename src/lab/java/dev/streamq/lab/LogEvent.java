package dev.streamq.lab;

/**
 * One queue event a service logged (dev.streamq.log.EventLog): its time, the fields the app
 * writes under "mdc" (dev.streamq.log.LogField: event, queue, job_id, attempt, error, reason)
 * and the message. Absent fields are null (attempt: 0).
 */
public record LogEvent(long timeMillis, String event, String queue, String jobId, int attempt, String error,
        String reason, String message) {
}

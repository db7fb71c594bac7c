package dev.streamq.lab;

/**
 * One queue event a service logged (dev.streamq.log.EventLog): its time, the stable fields the
 * app writes under "mdc" (event, queue, job_id, attempt, error) and the message.
 */
public record LogEvent(long timeMillis, String event, String queue, String jobId, int attempt, String error,
        String message) {
}

package dev.streamq.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

/**
 * The event log lines (dev.streamq.log.EventLog) the application in this JVM writes while a
 * test runs, so a test can check what a worker did, and with which fields, without parsing
 * the console.
 */
final class CapturedEvents extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("dev.streamq");
    private final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedEvents() {
    }

    static CapturedEvents start() {
        CapturedEvents events = new CapturedEvents();
        events.logger.addHandler(events);
        return events;
    }

    /** How many lines with this event name (and this queue, when not null) were written so far. */
    long count(String event, String queue) {
        return records.stream()
                .filter(r -> event.equals(r.getMdc("event")) && (queue == null || queue.equals(r.getMdc("queue"))))
                .count();
    }

    /** The fields (event, queue, job_id, attempt...) of every line with this event name, oldest first. */
    List<Map<String, String>> lines(String event) {
        return records.stream().filter(r -> event.equals(r.getMdc("event"))).map(r -> Map.copyOf(r.getMdcCopy())).toList();
    }

    /** The same, of one job. */
    List<Map<String, String>> lines(String event, String queue, String jobId) {
        return lines(event).stream().filter(f -> queue.equals(f.get("queue")) && jobId.equals(f.get("job_id"))).toList();
    }

    @Override
    public void publish(LogRecord record) {
        if (record instanceof ExtLogRecord ext && ext.getMdc("event") != null) {
            records.add(ext);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}

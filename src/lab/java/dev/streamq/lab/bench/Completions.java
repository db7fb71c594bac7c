package dev.streamq.lab.bench;

import dev.streamq.lab.LogEvent;
import dev.streamq.lab.ServiceLog;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.log.Event;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** When each job of a service's queues succeeded, per its job_succeeded log line (the first, if it ran twice). */
final class Completions {

    private final ServiceLog log;
    private final Map<String, Map<String, Long>> byQueue = new HashMap<>();

    Completions(ServiceProcess service) {
        this.log = new ServiceLog(service.logFile(), Set.of(Event.JOB_SUCCEEDED.key()));
    }

    /** job id -> time of its success, for one queue, read up to now. */
    synchronized Map<String, Long> of(String queue) {
        for (LogEvent e : log.readOn()) {
            if (e.queue() != null && e.jobId() != null) {
                byQueue.computeIfAbsent(e.queue(), q -> new HashMap<>()).putIfAbsent(e.jobId(), e.timeMillis());
            }
        }
        return new HashMap<>(byQueue.getOrDefault(queue, Map.of()));
    }
}

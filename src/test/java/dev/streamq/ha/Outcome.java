package dev.streamq.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamq.lab.JobsClient;
import dev.streamq.lab.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What happened to the acknowledged jobs: every one must succeed; executions beyond one per job are duplicates. */
final class Outcome {

    private Outcome() {}

    /** Waits (bounded, for all jobs together) until every acknowledged job succeeded; returns the ids that never did. */
    static List<String> lost(String baseUrl, Set<String> acknowledged, Duration timeout) {
        JobsClient jobs = new JobsClient(baseUrl);
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        List<String> lost = new ArrayList<>();
        for (String id : acknowledged) {
            Duration left = Duration.ofMillis(Math.max(0, deadline - System.currentTimeMillis()));
            if (!"succeeded".equals(jobs.awaitTerminal(id, left).get("state"))) {
                lost.add(id);
            }
        }
        return lost;
    }

    /** Jobs whose handler finished more than once, from the workers' job_succeeded and job_duplicate log events. */
    static int duplicated(List<ServiceProcess> workers) {
        Map<String, Integer> runs = new HashMap<>();
        for (ServiceProcess worker : workers) {
            for (var event : worker.logEvents("job_succeeded")) {
                runs.merge(event.jobId(), 1, Integer::sum);
            }
            for (var event : worker.logEvents("job_duplicate")) {
                runs.merge(event.jobId(), 1, Integer::sum);
            }
        }
        return (int) runs.values().stream().filter(n -> n > 1).count();
    }

    static void assertNoneLost(List<String> lost, int acknowledged) {
        assertEquals(List.of(), lost, lost.size() + " of " + acknowledged + " acknowledged jobs were lost");
    }
}

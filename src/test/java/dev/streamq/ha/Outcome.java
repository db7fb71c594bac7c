package dev.streamq.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamq.lab.ServiceProcess;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What happened to the acknowledged jobs: every one must succeed; executions beyond one per job are duplicates. */
final class Outcome {

    private Outcome() {}

    /** Waits (bounded) until every acknowledged job succeeded; returns the ids that never did. */
    static List<String> lost(String baseUrl, Set<String> acknowledged, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> open = new ArrayList<>(acknowledged);
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!open.isEmpty() && System.currentTimeMillis() < deadline) {
            List<String> still = new ArrayList<>();
            for (String id : open) {
                var job = Producer.get(http, baseUrl + "/jobs/" + id);
                if (job == null || !"succeeded".equals(job.path("state").asText())) {
                    still.add(id);
                }
            }
            open = still;
            if (!open.isEmpty()) {
                Producer.sleep(250);
            }
        }
        return open;
    }

    /** Jobs whose handler finished more than once, from the workers' job_succeeded and job_duplicate log events. */
    static int duplicated(List<ServiceProcess> workers) {
        Map<Object, Integer> runs = new HashMap<>();
        for (ServiceProcess worker : workers) {
            for (var event : worker.logEvents("job_succeeded")) {
                runs.merge(event.get("job_id"), 1, Integer::sum);
            }
            for (var event : worker.logEvents("job_duplicate")) {
                runs.merge(event.get("job_id"), 1, Integer::sum);
            }
        }
        return (int) runs.values().stream().filter(n -> n > 1).count();
    }

    static void assertNoneLost(List<String> lost, int acknowledged) {
        assertEquals(List.of(), lost, lost.size() + " of " + acknowledged + " acknowledged jobs were lost");
    }
}

package dev.streamq.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.lab.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What happened to the acknowledged jobs (every one must succeed; executions beyond one per job are duplicates), and the HTTP reads the ITs make. */
final class Outcome {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Outcome() {}

    /** Waits (bounded) until every acknowledged job succeeded; returns the ids that never did. */
    static List<String> lost(String baseUrl, Set<String> acknowledged, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> open = new ArrayList<>(acknowledged);
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!open.isEmpty() && System.currentTimeMillis() < deadline) {
            List<String> still = new ArrayList<>();
            for (String id : open) {
                var job = get(http, baseUrl + "/jobs/" + id);
                if (job == null || !"succeeded".equals(job.path("state").asText())) {
                    still.add(id);
                }
            }
            open = still;
            if (!open.isEmpty()) {
                sleep(250);
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

    static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    static String text(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void assertNoneLost(List<String> lost, int acknowledged) {
        assertEquals(List.of(), lost, lost.size() + " of " + acknowledged + " acknowledged jobs were lost");
    }
}

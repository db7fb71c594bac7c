package dev.streamq.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SIGTERM mid-job: the job finishes within the grace period, or is handed back and run by the next process. Nothing is lost. */
class GracefulShutdownIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private static ServiceProcess service(Topology topology, Path dir, String name, String grace) {
        return ServiceProcess.builder(ServiceProcess.defaultJar()).name(name).role("all").workDir(dir)
                .logFile(dir.resolve(name + ".log")).topology(topology)
                .env("STREAMQ_WORKER_SHUTDOWN_GRACE", grace)
                .env("STREAMQ_WORKER_DISCOVERY_INTERVAL", "200ms")
                .start().awaitReady(Duration.ofSeconds(60));
    }

    private String submitSleep(ServiceProcess app, long ms) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/queues/slow/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"payload\":{\"ms\":" + ms + "}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("id").asText();
    }

    private JsonNode awaitState(ServiceProcess app, String id, String state) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        JsonNode job = null;
        while (System.currentTimeMillis() < deadline) {
            job = Outcome.get(http, app.baseUrl() + "/jobs/" + id);
            if (job != null && state.equals(job.path("state").asText())) {
                return job;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " not " + state + ": " + job);
    }

    @Test
    void jobRunningAtShutdownFinishesWithinTheGracePeriod() throws Exception {
        Path dir = Files.createTempDirectory("streamq-shutdown-");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir)) {
            ServiceProcess first = service(topology, dir, "first", "10s");
            String id = submitSleep(first, 1_500);
            awaitState(first, id, "running");
            first.stop();
            try (ServiceProcess second = service(topology, dir, "second", "10s")) {
                JsonNode job = Outcome.get(http, second.baseUrl() + "/jobs/" + id);
                assertEquals("succeeded", job.path("state").asText(), "finished before the process exited: " + job);
                assertEquals(1, job.path("attempts").asInt());
            }
        }
    }

    @Test
    void jobOutlastingTheGracePeriodIsHandedBackAndRunByTheNextProcess() throws Exception {
        Path dir = Files.createTempDirectory("streamq-shutdown-");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir)) {
            ServiceProcess first = service(topology, dir, "first", "500ms");
            String id = submitSleep(first, 3_000);
            awaitState(first, id, "running");
            first.stop();
            // handed back once as running, and again if the read still blocked at shutdown received it
            assertTrue(!first.logEvents("job_released").isEmpty(), "the running job was handed back");
            try (ServiceProcess second = service(topology, dir, "second", "10s")) {
                JsonNode job = awaitState(second, id, "succeeded");
                // the handed-back attempt is not counted against the job
                assertEquals(1, job.path("attempts").asInt());
            }
        }
    }
}

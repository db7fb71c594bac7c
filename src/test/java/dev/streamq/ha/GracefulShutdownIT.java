package dev.streamq.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SIGTERM mid-job: the job finishes within the grace period, or is handed back and run by the next process. Nothing is lost. */
class GracefulShutdownIT {

    private static ServiceProcess service(Topology topology, Path dir, String name, String grace) {
        return ServiceProcess.builder(ServiceProcess.defaultJar()).name(name).role("all").workDir(dir)
                .logFile(dir.resolve(name + ".log")).topology(topology)
                .env("STREAMQ_WORKER_SHUTDOWN_GRACE", grace)
                .env("STREAMQ_WORKER_DISCOVERY_INTERVAL", "200ms")
                .start().awaitReady(Duration.ofSeconds(60));
    }

    /** Submits a sleep job to {@code first} and stops that process (SIGTERM) while the job runs. */
    private static String stopWhileRunning(ServiceProcess first, long sleepMs) {
        JobsClient jobs = new JobsClient(first.baseUrl());
        JobsClient.Reply accepted = jobs.submit("slow", JobsClient.job("sleep", Map.of("ms", sleepMs), null, null), null);
        assertEquals(202, accepted.status(), accepted.text());
        String id = String.valueOf(accepted.body().get("id"));
        Await.condition("job " + id + " running", Duration.ofSeconds(30), Duration.ofMillis(20),
                () -> "running".equals(jobs.get(id).body().get("state")));
        first.stop();
        return id;
    }

    @Test
    void jobRunningAtShutdownFinishesWithinTheGracePeriod() throws Exception {
        Path dir = Files.createTempDirectory("streamq-shutdown-");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir)) {
            String id = stopWhileRunning(service(topology, dir, "first", "10s"), 1_500);
            try (ServiceProcess second = service(topology, dir, "second", "10s")) {
                Map<String, Object> job = new JobsClient(second.baseUrl()).get(id).body();
                assertEquals("succeeded", job.get("state"), "finished before the process exited: " + job);
                assertEquals(1, job.get("attempts"));
            }
        }
    }

    @Test
    void jobOutlastingTheGracePeriodIsHandedBackAndRunByTheNextProcess() throws Exception {
        Path dir = Files.createTempDirectory("streamq-shutdown-");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir)) {
            ServiceProcess first = service(topology, dir, "first", "500ms");
            String id = stopWhileRunning(first, 3_000);
            // handed back once as running, and again if the read still blocked at shutdown received it
            assertTrue(!first.logEvents("job_released").isEmpty(), "the running job was handed back");
            try (ServiceProcess second = service(topology, dir, "second", "10s")) {
                Map<String, Object> job = new JobsClient(second.baseUrl()).awaitTerminal(id, Duration.ofSeconds(30));
                assertEquals("succeeded", job.get("state"), "run by the next process: " + job);
                // the handed-back attempt is not counted against the job
                assertEquals(1, job.get("attempts"));
            }
        }
    }
}

package dev.streamq.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/**
 * Handlers that spin past their job timeout, ignoring interrupts (the built-in cpu handler
 * hashing for hours): the job is recorded as failed, and SIGTERM still ends the process within
 * its grace period, not at SIGKILL.
 */
class OverrunningHandlerShutdownIT {

    private static final Map<String, Object> FOR_HOURS = Map.of("iterations", 1_000_000_000_000L);

    @Test
    void shutdownFinishesWithinTheGracePeriodWhileHandlersSpin() throws Exception {
        Path dir = Files.createTempDirectory("streamq-overrun-");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir);
                ServiceProcess service = ServiceProcess.builder(ServiceProcess.defaultJar()).name("spinning").role("all")
                        .workDir(dir).topology(topology)
                        .env("STREAMQ_WORKER_JOB_TIMEOUT", "1s")
                        .env("STREAMQ_WORKER_SHUTDOWN_GRACE", "2s")
                        .start().awaitReady(Duration.ofSeconds(60))) {
            JobsClient jobs = new JobsClient(service.baseUrl());
            JobsClient.Reply timedOut = jobs.submit("spin", JobsClient.job("cpu", FOR_HOURS, 1, null), null);
            String abandoned = String.valueOf(timedOut.body().get("id"));
            Map<String, Object> dead = jobs.awaitTerminal(abandoned, Duration.ofSeconds(30));
            assertEquals("dead", dead.get("state"), "the overrun is recorded: " + dead);

            JobsClient.Reply running = jobs.submit("spin", JobsClient.job("cpu", FOR_HOURS, 5, null), null);
            String id = String.valueOf(running.body().get("id"));
            Await.condition("job " + id + " running", Duration.ofSeconds(30), Duration.ofMillis(20),
                    () -> "running".equals(jobs.get(id).body().get("state")));

            long started = System.nanoTime();
            service.stop(); // SIGTERM; SIGKILL after 30 s
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertFalse(service.isAlive());
            // grace 2 s, then hand-back and Quarkus' own shutdown: far from the 30 s of a SIGKILL
            assertTrue(tookMillis < 12_000, "shutdown took " + tookMillis + " ms with two spinning handlers");
        }
    }
}

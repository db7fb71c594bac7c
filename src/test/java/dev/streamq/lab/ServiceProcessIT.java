package dev.streamq.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app as a process: env wiring, readiness, JSON log events, memory, kill -9 and
 * restart. Needs target/quarkus-app: failsafe runs it after `mvn package` (a plain `mvn test`
 * does not run *IT classes), and it fails, not skips, when the app was not built.
 */
class ServiceProcessIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path workDir;

    @Test
    @Timeout(90)
    void packagedAppRunsJobsLogsEventsAndSurvivesKill9() {
        Path jar = ServiceProcess.defaultJar();
        assertTrue(Files.isRegularFile(jar), jar + " not built: ITs run after mvn package");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, workDir.resolve("redis"));
                ServiceProcess service = ServiceProcess.builder(jar).name("svc").role("all").topology(topology)
                        .workDir(workDir).start()) {
            service.awaitReady(Duration.ofSeconds(60));
            JobsClient jobs = new JobsClient(service.baseUrl());
            JobsClient.Reply accepted = jobs.submit("lab", JobsClient.job("noop", Map.of(), null, null), null);
            assertEquals(202, accepted.status(), accepted::toString);
            String id = String.valueOf(accepted.body().get("id"));
            assertEquals("succeeded", jobs.awaitTerminal(id, Duration.ofSeconds(30)).get("state"));

            List<LogEvent> enqueued = service.logEvents("job_enqueued");
            assertTrue(enqueued.stream().anyMatch(e -> id.equals(e.jobId())), "no job_enqueued event for " + id);

            // the JSON lines carry attempt and reason as fields, which the drills' ground truth reads
            JobsClient.Reply dying = jobs.submit("lab", JobsClient.job("fail", Map.of("failures", 9), 2, null), null);
            String dead = String.valueOf(dying.body().get("id"));
            assertEquals("dead", jobs.awaitTerminal(dead, Duration.ofSeconds(30)).get("state"));
            Await.condition("the dead letter's line", Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> service.logEvents("job_dead_lettered").stream().anyMatch(e -> dead.equals(e.jobId())));
            assertEquals(List.of(1, 2), service.logEvents("job_failed").stream().filter(e -> dead.equals(e.jobId()))
                    .map(LogEvent::attempt).toList(), "job_failed for each attempt, the last one too");
            LogEvent deadLine = service.logEvents("job_dead_lettered").stream().filter(e -> dead.equals(e.jobId()))
                    .findFirst().orElseThrow();
            assertEquals("max_attempts", deadLine.reason());
            assertEquals(2, deadLine.attempt());
            assertTrue(service.rssKb() > 10_000, "rss " + service.rssKb());
            assertTrue(service.peakRssKb() >= service.rssKb());

            long pid = service.pid();
            service.kill9();
            assertFalse(service.isAlive());
            assertEquals(-1, service.rssKb());
            service.restart().awaitReady(Duration.ofSeconds(60));
            assertNotEquals(pid, service.pid());
            // Same port after restart, and the job is still there: it lives in redis, not the JVM.
            assertEquals("succeeded", new JobsClient(service.baseUrl()).get(id).body().get("state"));
        }
    }
}

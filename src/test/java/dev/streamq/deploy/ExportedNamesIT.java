package dev.streamq.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.core.AbandonedJob;
import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import dev.streamq.lab.RespClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric name that a Prometheus rule, a recording rule, a Grafana panel or variable, or a
 * runbook query reads is exported by the packaged app: the API and a worker as separate
 * processes, as deployed, after jobs that succeed, retry, die (max_attempts, no_handler, poison)
 * and are reclaimed. A {@code _bucket} name needs a family of type histogram. Names recorded by a
 * recording rule are fine (their rule's inputs are checked like any other read), and {@code up},
 * which Prometheus writes for every target itself.
 *
 * <p>Against the packaged jar, not a @QuarkusTest: the metrics a deployment exports depend on the
 * prod profile (the test profile changes intervals and handlers) and on the role split (queue
 * gauges only where the API runs, in-flight gauges only in workers); a @QuarkusTest runs role=all
 * with the test profile and would not show a name missing from the real pods. The names are
 * found by {@link PromQlNames} (a tokenizer; the installed promtool cannot list them).
 */
class ExportedNamesIT {

    /** Made by Prometheus for every scrape target, not by the app. */
    private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");
    private static final String QUEUE = "names";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path workDir;

    @Test
    @Timeout(180)
    void everyNameTheRulesDashboardsAndRunbooksReadIsExportedByTheRunningApp() throws Exception {
        Map<String, String> fastWorker = Map.of(
                "STREAMQ_WORKER_VISIBILITY_TIMEOUT", "2s", "STREAMQ_WORKER_RECLAIM_INTERVAL", "250ms",
                "STREAMQ_WORKER_DISCOVERY_INTERVAL", "200ms", "STREAMQ_WORKER_BACKOFF_INITIAL", "100ms",
                "STREAMQ_WORKER_BACKOFF_MAX", "400ms");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, workDir.resolve("redis"));
                ServiceProcess api = ServiceProcess.builder(ServiceProcess.defaultJar()).name("api").role("api")
                        .topology(topology).workDir(workDir).start();
                ServiceProcess worker = ServiceProcess.builder(ServiceProcess.defaultJar()).name("worker").role("worker")
                        .topology(topology).env(fastWorker).workDir(workDir).start()) {
            api.awaitReady(Duration.ofSeconds(60));
            worker.awaitReady(Duration.ofSeconds(60));
            JobsClient jobs = api.jobs();

            List<String> ids = new ArrayList<>();
            ids.add(submit(jobs, JobsClient.job("noop", null, null, null)));
            ids.add(submit(jobs, JobsClient.job("fail", Map.of("failures", 1), 3, null))); // retried, then succeeds
            ids.add(submit(jobs, JobsClient.job("fail", null, 2, null))); // retried, then dead: max_attempts
            ids.add(submit(jobs, JobsClient.job("no-such-type", null, null, null))); // dead: no_handler
            try (RespClient redis = topology.currentMaster().client()) {
                ids.add(AbandonedJob.leave(redis, QUEUE, 1)); // a dead worker's entry: reclaimed and run
                ids.add(AbandonedJob.leave(redis, QUEUE, 5)); // delivered too often: dead, poison
            }
            for (String id : ids) {
                Object state = jobs.awaitTerminal(id, Duration.ofSeconds(30)).get("state");
                assertTrue(JobsClient.TERMINAL.contains(String.valueOf(state)), id + " finished: " + state);
            }
            jobs.queue(QUEUE);
            // queue gauges are refreshed in the background, once a second
            Await.condition("the queue gauges", Duration.ofSeconds(15), Duration.ofMillis(200),
                    () -> api.management().getPath("/q/metrics").text().contains("streamq_queue_jobs{queue=\"" + QUEUE + "\""));

            String q = "{queue=\"" + QUEUE + "\"";
            // A job's state is in Redis before its worker counts it (the counters move once the
            // script call has returned): seen once, the reclaimed job's success was not counted yet
            // when the story's states were all final. So the worker's last two counts are awaited.
            String succeeded = "streamq_jobs_completed_total{outcome=\"succeeded\",queue=\"" + QUEUE + "\"}";
            String poison = "streamq_jobs_dead_lettered_total" + q + ",reason=\"poison\"}";
            Await.condition("the worker to count the reclaimed jobs", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
                Exposition counted = Exposition.of(worker.management().getPath("/q/metrics").text());
                return counted.sum(succeeded) >= 3 && counted.sum(poison) >= 1;
            });
            Exposition app = Exposition.of(api.management().getPath("/q/metrics").text(),
                    worker.management().getPath("/q/metrics").text());
            // the story ran: without these events a name could be missing for want of one
            assertTrue(app.sum("streamq_jobs_retried_total" + q) >= 2, "retries");
            assertTrue(app.sum("streamq_jobs_reclaimed_total" + q) >= 1, "reclaims");
            assertEquals(1.0, app.sum("streamq_jobs_dead_lettered_total" + q + ",reason=\"max_attempts\"}"), "max_attempts");
            assertEquals(1.0, app.sum("streamq_jobs_dead_lettered_total" + q + ",reason=\"no_handler\"}"), "no_handler");
            assertEquals(1.0, app.sum(poison), "poison");
            assertTrue(app.sum(succeeded) >= 3, "successes");

            Set<String> recorded = MetricReaders.recorded();
            List<String> missing = new ArrayList<>();
            Map<String, Set<String>> names = MetricReaders.names();
            names.forEach((name, where) -> {
                String problem = problem(app, recorded, name);
                if (problem != null) {
                    missing.add(name + ": " + problem + "; read by " + where);
                }
            });
            System.out.printf("[ExportedNamesIT] %d names read by rules, dashboards and runbooks; %d exported samples%n",
                    names.size(), app.samples().size());
            assertEquals(List.of(), missing, "names read but not exported by the app");
        }
    }

    /** Why the app does not serve {@code name}, or null when it does. */
    private static String problem(Exposition app, Set<String> recorded, String name) {
        if (MADE_BY_PROMETHEUS.contains(name)) {
            return null;
        }
        if (PromQlNames.isRecorded(name)) {
            return recorded.contains(name) ? null : "no recording rule records it";
        }
        if (name.endsWith("_bucket")) {
            String family = name.substring(0, name.length() - "_bucket".length());
            if (!"histogram".equals(app.type(family))) {
                return "not a histogram (" + family + " is " + app.type(family) + ")";
            }
        }
        return app.hasSample(name) ? null : "not exported";
    }

    private static String submit(JobsClient jobs, Map<String, Object> job) {
        JobsClient.Reply reply = jobs.submit(QUEUE, job, null);
        assertEquals(202, reply.status(), reply.text());
        return String.valueOf(reply.body().get("id"));
    }
}

package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dashboards, alert rules and runbooks may only query metrics in the metric contract below: a
 * renamed or misspelled metric makes a panel or an alert silently empty. The contract is a
 * fast offline list; ExportedNamesIT checks the same reads against what the packaged app
 * really exports (this list once named a histogram the app did not have).
 */
class DashboardTest {

    /** The app's metric contract (Prometheus names), plus what Prometheus itself adds. */
    static final Set<String> COUNTERS = Set.of(
            "streamq_jobs_enqueued_total", "streamq_jobs_completed_total", "streamq_jobs_retried_total",
            "streamq_jobs_reclaimed_total", "streamq_jobs_dead_lettered_total", "streamq_jobs_duplicates_total",
            "streamq_redis_errors_total", "streamq_redis_retries_total", "streamq_redis_failovers_total",
            "streamq_redis_unavailable_seconds_total", "streamq_api_refused_total");
    static final Set<String> GAUGES = Set.of(
            "streamq_queue_jobs", "streamq_queue_lag", "streamq_queue_consumers", "streamq_worker_inflight",
            "streamq_redis_master_up", "streamq_redis_sentinels_bypassed", "process_start_time_seconds", "up");
    static final Set<String> HISTOGRAMS = Set.of(
            "streamq_job_handler_duration_seconds", "streamq_job_latency_seconds", "http_server_requests_seconds");

    static final Set<String> ALLOWED = allowed();

    private static Set<String> allowed() {
        Set<String> all = new HashSet<>(COUNTERS);
        all.addAll(GAUGES);
        for (String h : HISTOGRAMS) {
            all.addAll(List.of(h + "_bucket", h + "_sum", h + "_count", h + "_max"));
        }
        return all;
    }

    /** A name an expression reads that the contract lacks, or null; a recorded name must be recorded by a rule. */
    static String unknown(String name) {
        if (PromQlNames.isRecorded(name)) {
            return MetricReaders.recorded().contains(name) ? null : name + " (no recording rule records it)";
        }
        return ALLOWED.contains(name) ? null : name;
    }

    private static List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.walk(path("loki/dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void dashboardsAreValidJsonWithUniquePanelIds() throws IOException {
        List<Path> files = dashboards();
        assertFalse(files.isEmpty(), "no dashboard in loki/dashboards");
        for (Path f : files) {
            JsonNode dash = DeployTools.JSON.readTree(f.toFile());
            assertFalse(dash.path("uid").asText().isEmpty(), f + " uid");
            assertFalse(dash.path("title").asText().isEmpty(), f + " title");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : dash.path("panels")) {
                assertTrue(ids.add(p.path("id").asInt()), f + " duplicate panel id " + p.path("id"));
            }
        }
    }

    @Test
    void dashboardsQueryOnlyContractMetricsAndCoverTheIncidents() {
        Set<String> used = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (MetricReaders.Read read : MetricReaders.dashboards()) {
            assertFalse(read.expr().isBlank() && !read.where().contains("variable"), read.where() + " has an empty query");
            for (String name : PromQlNames.read(read.expr())) {
                if (unknown(name) != null) {
                    problems.add(read.where() + " queries unknown metric " + unknown(name));
                }
                used.add(name);
            }
        }
        assertEquals(List.of(), problems);
        // What the brief asks the dashboard to show.
        for (String must : List.of("streamq_queue_jobs", "streamq_jobs_completed_total", "streamq_job_latency_seconds_bucket",
                "streamq_redis_errors_total", "streamq_redis_failovers_total", "streamq_redis_master_up")) {
            assertTrue(used.contains(must), "dashboard does not show " + must + " (uses " + used + ")");
        }
    }

    @Test
    void alertAndRecordingRulesAndRunbooksReadOnlyContractMetrics() {
        List<String> problems = new ArrayList<>();
        List<MetricReaders.Read> reads = new ArrayList<>(MetricReaders.rules());
        reads.addAll(MetricReaders.runbooks());
        for (MetricReaders.Read read : reads) {
            for (String name : PromQlNames.read(read.expr())) {
                if (unknown(name) != null) {
                    problems.add(read.where() + " reads unknown metric " + unknown(name));
                }
            }
        }
        assertEquals(List.of(), problems);
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : DeployTools.yamlFile("deploy/observability/prometheus/rules/streamq-rules.yaml").path("groups")) {
            group.path("rules").forEach(rule -> {
                if (rule.has("alert")) {
                    alerts.add(rule.path("alert").asText());
                }
            });
        }
        assertEquals(new TreeSet<>(Set.of("NoRedisMaster", "RedisErrorsHigh", "QueueBacklogGrowing", "DeadLettersGrowing",
                "WorkersDown", "JobLatencyHigh", "DuplicatesSeen", "RedisSentinelsUnreachable", "RedisFailover", "JobsReclaimed",
                "RequestsRefused")), alerts);
    }
}

package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dashboards and alert rules may only query metrics the app actually exports (the metric
 * contract below): a renamed or misspelled metric makes a panel or an alert silently empty.
 */
class DashboardTest {

    /** The app's metric contract (Prometheus names), plus what Prometheus itself adds. */
    static final Set<String> COUNTERS = Set.of(
            "streamq_jobs_enqueued_total", "streamq_jobs_completed_total", "streamq_jobs_retried_total",
            "streamq_jobs_reclaimed_total", "streamq_jobs_dead_lettered_total", "streamq_jobs_duplicates_total",
            "streamq_redis_errors_total", "streamq_redis_retries_total", "streamq_redis_failovers_total",
            "streamq_redis_unavailable_seconds_total");
    static final Set<String> GAUGES = Set.of(
            "streamq_queue_jobs", "streamq_queue_lag", "streamq_queue_consumers", "streamq_worker_inflight",
            "streamq_redis_master_up", "streamq_redis_sentinels_bypassed", "up");
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

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
    private static final Pattern STREAMQ = Pattern.compile("(?<![\\w:])((?:streamq|http_server)_[a-z0-9_]+)(?![\\w:])");

    /** Metric names an expression reads: every `name{` and every streamq_/http_server_ token. */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        String noStrings = expr.replaceAll("\"[^\"]*\"", "\"\"");
        Matcher m = SELECTOR.matcher(noStrings);
        while (m.find()) {
            String name = m.group(1);
            // PromQL keywords that take a {...}-less grouping never match; "by"/"without" use (...).
            if (!name.contains(":")) {
                names.add(name);
            }
        }
        Matcher s = STREAMQ.matcher(noStrings);
        while (s.find()) {
            names.add(s.group(1));
        }
        return names;
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
    void dashboardsQueryOnlyContractMetricsAndCoverTheIncidents() throws IOException {
        Set<String> used = new TreeSet<>();
        for (Path f : dashboards()) {
            JsonNode dash = DeployTools.JSON.readTree(f.toFile());
            for (JsonNode panel : dash.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    String type = t.at("/datasource/type").asText(panel.at("/datasource/type").asText());
                    if (!"prometheus".equals(type)) {
                        continue;
                    }
                    String expr = t.path("expr").asText();
                    assertFalse(expr.isBlank(), f.getFileName() + " panel '" + panel.path("title").asText() + "' has an empty query");
                    for (String name : metricNames(expr)) {
                        if (!ALLOWED.contains(name)) {
                            fail(f.getFileName() + " panel '" + panel.path("title").asText() + "' queries unknown metric " + name);
                        }
                        used.add(name);
                    }
                }
            }
        }
        // What the brief asks the dashboard to show.
        for (String must : List.of("streamq_queue_jobs", "streamq_jobs_completed_total", "streamq_job_latency_seconds_bucket",
                "streamq_redis_errors_total", "streamq_redis_failovers_total", "streamq_redis_master_up")) {
            assertTrue(used.contains(must), "dashboard does not show " + must + " (uses " + used + ")");
        }
    }

    @Test
    void alertAndRecordingRulesReadOnlyContractMetrics() {
        JsonNode rules = DeployTools.yamlFile("loki/streamq-rules.yaml");
        Set<String> alerts = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    alerts.add(rule.path("alert").asText());
                }
                for (String name : metricNames(rule.path("expr").asText())) {
                    if (!ALLOWED.contains(name)) {
                        problems.add(rule.path("alert").asText(rule.path("record").asText()) + " reads unknown metric " + name);
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(new TreeSet<>(Set.of("NoRedisMaster", "RedisErrorsHigh", "QueueBacklogGrowing", "DeadLettersGrowing",
                "WorkersDown", "JobLatencyHigh", "DuplicatesSeen", "RedisSentinelsUnreachable")), alerts);
    }

    @Test
    void theMetricExtractorSeesMisspelledNames() {
        // Guard for the guard: a typo must be caught, label values must not be mistaken for metrics.
        assertEquals(Set.of("streamq_job_enqueued_total"),
                metricNames("sum(rate(streamq_job_enqueued_total{queue=~\"streamq_x\"}[5m]))"));
        assertEquals(Set.of("foo_bar"), metricNames("foo_bar{a=\"b\"}"));
        // Recording rules (level:metric:operation) are not raw metrics.
        assertEquals(Set.of(), metricNames("kind:streamq_redis_errors:rate5m > 0.5"));
    }
}

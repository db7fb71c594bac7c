package dev.streamq.lab.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's Prometheus runs the project's own config and rules: what it changes is only the
 * discovery, the intervals and the rule path (promtool accepts the result), every alert a drill
 * expects exists in the rules, and the ALERTS series read back become the right episodes.
 */
class LabPrometheusTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<LabPrometheusConfig.Target> SERVICES = List.of(
            new LabPrometheusConfig.Target("api", "api", 18080, 19001), new LabPrometheusConfig.Target("worker-1", "worker", 18081, 19002));

    @Test
    void configKeepsTheShippedRelabellingAndRules(@TempDir Path dir) throws IOException, InterruptedException {
        Path config = LabPrometheusConfig.write(dir, 19090, SERVICES);
        JsonNode shipped = YAML.readTree(LabPrometheusConfig.CONFIG.toFile());
        JsonNode lab = YAML.readTree(config.toFile());

        JsonNode streamq = job(lab, "streamq");
        assertEquals(job(shipped, "streamq").path("relabel_configs"), streamq.path("relabel_configs"), "relabelling changed");
        assertTrue(streamq.path("kubernetes_sd_configs").isMissingNode());
        JsonNode targets = streamq.path("static_configs");
        assertEquals(2, targets.size());
        JsonNode api = targets.get(0).path("labels");
        assertEquals("api", api.path("__meta_kubernetes_pod_name").asText());
        assertEquals("api", api.path("__meta_kubernetes_pod_label_role").asText());
        assertEquals("19001",
                api.path("__meta_kubernetes_pod_annotation_prometheus_io_port").asText(), "scraped on the management port");
        assertEquals("worker", targets.get(1).path("labels").path("__meta_kubernetes_pod_label_role").asText());
        assertEquals("1s", lab.path("global").path("evaluation_interval").asText());

        JsonNode rules = YAML.readTree(dir.resolve("streamq-rules.yaml").toFile());
        JsonNode shippedRules = YAML.readTree(LabPrometheusConfig.RULES.toFile());
        for (int g = 0; g < shippedRules.path("groups").size(); g++) {
            assertTrue(rules.path("groups").get(g).path("interval").isMissingNode(), "group interval left in");
            assertEquals(shippedRules.path("groups").get(g).path("rules"), rules.path("groups").get(g).path("rules"),
                    "a rule changed");
        }

        Assumptions.assumeTrue(dev.streamq.lab.PrometheusServer.unavailableReason() == null, "no prometheus here");
        Process check = new ProcessBuilder("promtool", "check", "config", config.toString()).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), out);
    }

    private static JsonNode job(JsonNode config, String name) {
        for (JsonNode job : config.path("scrape_configs")) {
            if (job.path("job_name").asText().equals(name)) {
                return job;
            }
        }
        throw new AssertionError("no job " + name);
    }

    @Test
    void everyAlertADrillExpectsIsARule() throws IOException {
        Set<String> alerts = new TreeSet<>();
        YAML.readTree(LabPrometheusConfig.RULES.toFile()).path("groups").forEach(g -> g.path("rules")
                .forEach(r -> alerts.add(r.path("alert").asText())));
        for (Scenario s : EnumSet.allOf(Scenario.class)) {
            AlertExpectations.Plan plan = AlertExpectations.of(s);
            for (Set<String> names : List.of(plan.mustFire(), plan.mayFire())) {
                assertTrue(alerts.containsAll(names), s.id() + " expects " + names + "; the rules have " + alerts);
            }
        }
    }

    /** ALERTS with step 1 s: pending 2 s then firing 2 s, resolved; and one firing to the end; fault at t=100 s. */
    @Test
    void alertsSeriesBecomeEpisodes() throws IOException {
        JsonNode result = JSON.readTree("""
                [{"metric":{"__name__":"ALERTS","alertname":"NoRedisMaster","alertstate":"pending","severity":"critical"},
                  "values":[[102,"1"],[103,"1"]]},
                 {"metric":{"__name__":"ALERTS","alertname":"NoRedisMaster","alertstate":"firing","severity":"critical"},
                  "values":[[104,"1"],[105,"1"]]},
                 {"metric":{"__name__":"ALERTS","alertname":"NoRedisMaster","alertstate":"pending","severity":"critical"},
                  "values":[[110,"1"]]},
                 {"metric":{"__name__":"ALERTS","alertname":"JobsReclaimed","alertstate":"firing","severity":"info","queue":"drill"},
                  "values":[[107,"1"],[108,"1"],[109,"1"],[110,"1"]]}]
                """);
        List<DrillResult.Alert> episodes = AlertTimeline.episodes(result, 1000, 110_500, 100_000);
        assertEquals(3, episodes.size());
        DrillResult.Alert first = episodes.get(0);
        assertEquals("NoRedisMaster", first.name);
        assertEquals(2000L, first.pendingAtMs);
        assertEquals(4000L, first.firingAtMs);
        assertEquals(6000L, first.resolvedAtMs);
        DrillResult.Alert reclaimed = episodes.get(1);
        assertEquals("{queue=\"drill\"}", reclaimed.labels);
        assertNull(reclaimed.pendingAtMs);
        assertEquals(7000L, reclaimed.firingAtMs);
        assertNull(reclaimed.resolvedAtMs, "active at the end");
        DrillResult.Alert again = episodes.get(2);
        assertEquals(10_000L, again.pendingAtMs);
        assertFalse(again.fired());

        AlertExpectations.Plan plan = AlertExpectations.of(Scenario.WORKER_KILL);
        assertEquals(List.of("alert NoRedisMaster fired with no business firing in this drill"), plan.breaches(episodes));
        assertEquals(List.of("expected alert JobsReclaimed did not fire"), plan.breaches(List.of(again)));
    }
}

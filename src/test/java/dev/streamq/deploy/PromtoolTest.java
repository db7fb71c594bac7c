package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.requireTool;
import static dev.streamq.deploy.DeployTools.run;
import static dev.streamq.deploy.DeployTools.runOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** promtool: the Prometheus config and the rules are valid, and the rules' unit tests pass. */
class PromtoolTest {

    private static final String CONFIG = "deploy/observability/prometheus/prometheus.yml";
    private static final String RULES = "deploy/observability/prometheus/rules/streamq-rules.yaml";

    @BeforeAll
    static void tool() {
        requireTool("promtool", "apt-get install prometheus, or the promtool binary from a Prometheus release");
    }

    @Test
    void rulesAreValid() {
        String out = runOk(List.of("promtool", "check", "rules", RULES)).both();
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void ruleUnitTestsPass() {
        // Every alert has a firing and a look-alike non-firing case in the test file.
        String out = runOk(List.of("promtool", "test", "rules", "deploy/observability/prometheus/rules/streamq-rules.test.yaml")).both();
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void prometheusConfigIsValid(@TempDir Path tmp) throws IOException {
        DeployTools.Result r = run(List.of("promtool", "check", "config", CONFIG));
        if (r.exit() != 0 && r.both().contains("field kubernetes_sd_configs not found")) {
            // Debian's promtool is built without Kubernetes service discovery. Check the rest
            // of the file with the kubernetes_sd_configs blocks removed; the blocks themselves
            // are asserted by ObservabilityStackTest.
            JsonNode cfg = DeployTools.yamlFile(CONFIG);
            cfg.path("scrape_configs").forEach(job -> ((ObjectNode) job).remove("kubernetes_sd_configs"));
            Path copy = tmp.resolve("prometheus.yml");
            DeployTools.YAML.writeValue(copy.toFile(), cfg);
            System.out.println("[PromtoolTest] promtool lacks kubernetes_sd (Debian build); "
                    + "checking " + CONFIG + " without its kubernetes_sd_configs blocks");
            r = run(List.of("promtool", "check", "config", copy.toString()));
        }
        DeployTools.Result result = r;
        assertEquals(0, result.exit(), () -> "promtool check config:\n" + result.both());
    }
}

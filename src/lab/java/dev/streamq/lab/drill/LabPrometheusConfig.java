package dev.streamq.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.streamq.lab.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The project's own Prometheus config and alert rules, made to run against the lab's processes:
 * the {@code streamq} job's Kubernetes pod discovery becomes one static target per process,
 * labelled with the {@code __meta_kubernetes_*} labels that pod discovery would set from the
 * manifests (scrape annotation, management port, pod name, app and role), so the config's
 * relabelling runs unchanged and the rules see the same {@code job}, {@code pod} and {@code role}
 * labels as in the cluster. Changed, and said so in the drill's notes: scrape and evaluation every
 * second instead of 15/30 s (a drill lasts seconds, not hours), the rule file's path, and the
 * jobs of the stack that the lab does not run (Loki, Alloy) are left out. Every {@code for:} and
 * every expression stays as shipped.
 */
final class LabPrometheusConfig {

    static final Path CONFIG = Paths.get("deploy", "observability", "prometheus", "prometheus.yml");
    static final Path RULES = Paths.get("deploy", "observability", "prometheus", "rules", "streamq-rules.yaml");
    static final String INTERVAL = "1s";
    /** The k8s namespace and app label the manifests give streamq's pods (deploy/k8s/base). */
    private static final String NAMESPACE = "streamq";
    private static final String APP = "streamq";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private LabPrometheusConfig() {
    }

    /** What pod discovery would know of one process: its pod name, role, first container port and annotated port. */
    record Target(String pod, String role, int port, int managementPort) {

        static Target of(ServiceProcess s) {
            return new Target(s.name(), s.role(), s.port(), s.managementPort());
        }
    }

    /** What the lab changed, for the drill's notes. */
    static final String CHANGES = "prometheus: the project's prometheus.yml and streamq-rules.yaml, scrape and evaluation every "
            + INTERVAL + " (shipped: 15 s, recording rules 30 s), pod discovery replaced by static targets with the pods'"
            + " meta labels (relabelling unchanged), loki and alloy jobs left out; every expression and for: as shipped";

    /**
     * Writes {@code dir/prometheus.yml} and {@code dir/streamq-rules.yaml} for a Prometheus on
     * {@code port} that scrapes {@code services}; returns the config's path.
     */
    static Path write(Path dir, int port, List<Target> services) {
        try {
            Files.createDirectories(dir);
            Path rules = dir.resolve("streamq-rules.yaml");
            YAML.writeValue(rules.toFile(), rules(YAML.readTree(RULES.toFile())));
            Path config = dir.resolve("prometheus.yml");
            YAML.writeValue(config.toFile(), config(YAML.readTree(CONFIG.toFile()), rules, port, services));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the lab's Prometheus config into " + dir, e);
        }
    }

    static JsonNode config(JsonNode shipped, Path rules, int port, List<Target> services) {
        ObjectNode root = shipped.deepCopy();
        ObjectNode global = (ObjectNode) root.path("global");
        global.put("scrape_interval", INTERVAL);
        global.put("scrape_timeout", INTERVAL);
        global.put("evaluation_interval", INTERVAL);
        root.putArray("rule_files").add(rules.toAbsolutePath().toString());
        ArrayNode jobs = YAML.createArrayNode();
        for (JsonNode job : root.path("scrape_configs")) {
            String name = job.path("job_name").asText();
            if (name.equals("streamq")) {
                ObjectNode streamq = job.deepCopy();
                if (streamq.remove("kubernetes_sd_configs") == null) {
                    throw new IllegalStateException("the streamq job no longer discovers pods: update " + LabPrometheusConfig.class);
                }
                streamq.set("static_configs", targets(services));
                jobs.add(streamq);
            } else if (name.equals("prometheus")) {
                ObjectNode self = job.deepCopy();
                self.putArray("static_configs").addObject().putArray("targets").add("127.0.0.1:" + port);
                jobs.add(self);
            }
        }
        root.set("scrape_configs", jobs);
        return root;
    }

    /** One target group per process, with the labels Kubernetes pod discovery would give its pod. */
    private static ArrayNode targets(List<Target> services) {
        ArrayNode groups = YAML.createArrayNode();
        for (Target s : services) {
            ObjectNode group = groups.addObject();
            // the pod IP with the first declared container port; the relabelling swaps in the annotated one
            group.putArray("targets").add("127.0.0.1:" + s.port());
            ObjectNode labels = group.putObject("labels");
            labels.put("__meta_kubernetes_namespace", NAMESPACE);
            labels.put("__meta_kubernetes_pod_name", s.pod());
            labels.put("__meta_kubernetes_pod_phase", "Running");
            labels.put("__meta_kubernetes_pod_label_app", APP);
            labels.put("__meta_kubernetes_pod_label_role", s.role());
            labels.put("__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true");
            labels.put("__meta_kubernetes_pod_annotation_prometheus_io_path", "/q/metrics");
            labels.put("__meta_kubernetes_pod_annotation_prometheus_io_port", String.valueOf(s.managementPort()));
        }
        return groups;
    }

    /** The rules as shipped but for each group's own evaluation interval, which falls back to the global one. */
    static JsonNode rules(JsonNode shipped) {
        ObjectNode root = shipped.deepCopy();
        if (root.path("groups").isEmpty()) {
            throw new IllegalStateException(RULES + " has no rule groups");
        }
        root.path("groups").forEach(group -> ((ObjectNode) group).remove("interval"));
        return root;
    }
}

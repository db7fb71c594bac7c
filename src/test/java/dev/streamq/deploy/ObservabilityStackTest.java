package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.configMap;
import static dev.streamq.deploy.DeployTools.container;
import static dev.streamq.deploy.DeployTools.kustomize;
import static dev.streamq.deploy.DeployTools.ofKind;
import static dev.streamq.deploy.DeployTools.one;
import static dev.streamq.deploy.DeployTools.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Renders deploy/observability and checks persistence, retention and the wiring between the parts. */
class ObservabilityStackTest {

    private static List<JsonNode> docs() {
        return kustomize("deploy/observability");
    }

    @Test
    void lokiPrometheusAndGrafanaKeepTheirDataOnPersistentVolumes() {
        List<JsonNode> docs = docs();
        for (String sts : List.of("loki", "prometheus")) {
            JsonNode set = one(docs, "StatefulSet", sts);
            JsonNode vct = set.at("/spec/volumeClaimTemplates/0");
            assertEquals("data", vct.at("/metadata/name").asText(), sts + " PVC template");
            assertFalse(vct.at("/spec/resources/requests/storage").asText().isEmpty(), sts + " PVC size");
            String dataMount = sts.equals("loki") ? "/loki" : "/prometheus";
            assertEquals(dataMount, mountPath(container(set, sts), "data"), sts + " mounts its PVC");
        }
        assertFalse(one(docs, "PersistentVolumeClaim", "grafana-data").at("/spec/resources/requests/storage").asText().isEmpty());
        JsonNode grafana = one(docs, "Deployment", "grafana");
        String grafanaData = null;
        for (JsonNode v : podSpec(grafana).path("volumes")) {
            if (v.at("/persistentVolumeClaim/claimName").asText().equals("grafana-data")) {
                grafanaData = v.path("name").asText();
            }
        }
        assertTrue(grafanaData != null, "Grafana mounts the grafana-data PVC");
        // Grafana's default data path (GF_PATHS_DATA unset): SQLite, sessions, plugins.
        assertEquals("/var/lib/grafana", mountPath(container(grafana, "grafana"), grafanaData));
        assertTrue(DeployTools.env(container(grafana, "grafana"), "GF_PATHS_DATA").isEmpty(), "the data path stays the mounted one");
        // RWO volume: a rolling update would deadlock on the attach.
        assertEquals("Recreate", grafana.at("/spec/strategy/type").asText());
    }

    /** Kubernetes quantities (20Gi) and Prometheus sizes (18GB, powers of 2 in Prometheus) in bytes. */
    private static long bytes(String size) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|KB|MB|GB|TB)").matcher(size);
        assertTrue(m.matches(), "size " + size);
        int power = List.of("K", "M", "G", "T").indexOf(m.group(2).substring(0, 1)) + 1;
        return Long.parseLong(m.group(1)) << (10 * power);
    }

    private static String pvcSize(JsonNode statefulSet) {
        return statefulSet.at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage").asText();
    }

    @Test
    void prometheusRetainsByTimeAndBySizeWithinItsVolume() {
        JsonNode set = one(docs(), "StatefulSet", "prometheus");
        List<String> args = new ArrayList<>();
        container(set, "prometheus").path("args").forEach(a -> args.add(a.asText()));
        String time = flag(args, "--storage.tsdb.retention.time");
        assertTrue(time.matches("\\d+[dhw]"), "retention.time " + time);
        long size = bytes(flag(args, "--storage.tsdb.retention.size"));
        long volume = bytes(pvcSize(set));
        // The size limit counts blocks, WAL and head chunks; compaction needs room beyond it.
        assertTrue(size <= volume * 9 / 10, "retention.size " + size + " leaves 10% of the " + volume + " B volume");
        assertTrue(size >= volume * 7 / 10, "retention.size " + size + " uses the volume (" + volume + " B)");
    }

    private static String flag(List<String> args, String name) {
        return args.stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1)).findFirst()
                .orElseGet(() -> fail(name + " missing from " + args));
    }

    /**
     * Loki deletes by age only. The PVC must hold retention_period of logs at the rate the
     * stack is sized for (docs/operations.md, "Storage and retention"), with 20% to spare.
     */
    @Test
    void lokiRetentionFitsItsVolumeAtTheSizedRate() throws IOException {
        List<JsonNode> docs = docs();
        JsonNode cfg = DeployTools.YAML.readTree(configMap(docs, "loki-config").at("/data/loki-config.yaml").asText());
        String retention = cfg.at("/limits_config/retention_period").asText();
        assertTrue(retention.matches("\\d+h"), "retention_period in hours: " + retention);
        // Older samples would be deleted at once, older queries find nothing.
        assertEquals(retention, cfg.at("/limits_config/reject_old_samples_max_age").asText());
        assertEquals(retention, cfg.at("/limits_config/max_query_lookback").asText());
        long seconds = Long.parseLong(retention.replace("h", "")) * 3600;
        long needed = LOKI_CHUNK_BYTES_PER_JOB * SIZED_JOBS_PER_SECOND * seconds;
        long volume = bytes(pvcSize(one(docs, "StatefulSet", "loki")));
        assertTrue(needed <= volume * 8 / 10, retention + " at " + SIZED_JOBS_PER_SECOND + " jobs/s needs " + needed
                + " B, more than 80% of the " + volume + " B PVC");
    }

    /** Measured from the short drills' logs, gzip in 256 KiB blocks as Loki stores chunks (docs/operations.md). */
    private static final long LOKI_CHUNK_BYTES_PER_JOB = 74;
    private static final long SIZED_JOBS_PER_SECOND = 300;

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (volume.equals(m.path("name").asText())) {
                return m.path("mountPath").asText();
            }
        }
        return "";
    }

    @Test
    void lokiEnforcesRetentionWithTheCompactorOnSchemaV13() throws IOException {
        JsonNode cfg = DeployTools.YAML.readTree(configMap(docs(), "loki-config").at("/data/loki-config.yaml").asText());
        assertTrue(cfg.at("/compactor/retention_enabled").asBoolean(), "compactor.retention_enabled");
        assertFalse(cfg.at("/compactor/delete_request_store").asText().isEmpty(), "delete_request_store is mandatory with retention");
        assertEquals("168h", cfg.at("/limits_config/retention_period").asText());
        assertTrue(cfg.at("/limits_config/allow_structured_metadata").asBoolean(), "structured metadata carries job_id");
        JsonNode schema = cfg.at("/schema_config/configs/0");
        assertEquals("v13", schema.path("schema").asText());
        assertEquals("tsdb", schema.path("store").asText());
        assertEquals("24h", schema.at("/index/period").asText(), "retention needs 24h index tables");
        // Everything Loki writes must be on the PVC mounted at /loki.
        for (String p : List.of("/common/path_prefix", "/common/storage/filesystem/chunks_directory",
                "/storage_config/tsdb_shipper/active_index_directory", "/compactor/working_directory", "/ingester/wal/dir")) {
            assertTrue(cfg.at(p).asText().startsWith("/loki"), p + " = " + cfg.at(p).asText());
        }
    }

    @Test
    void prometheusRetainsLoadsTheRulesAndScrapesStreamqPods() throws IOException {
        List<JsonNode> docs = docs();
        JsonNode prom = container(one(docs, "StatefulSet", "prometheus"), "prometheus");
        String args = prom.path("args").toString();
        assertTrue(args.contains("--storage.tsdb.retention.time="), args);
        assertTrue(args.contains("--storage.tsdb.path=/prometheus"), args);
        assertTrue(prom.path("volumeMounts").toString().contains("/etc/prometheus/rules"));
        // Provisioned from the repo: the file the rule unit tests check is the one Prometheus loads.
        assertEquals(DeployTools.read("deploy/observability/prometheus/rules/streamq-rules.yaml"),
                configMap(docs, "prometheus-rules").at("/data/streamq-rules.yaml").asText());

        JsonNode cfg = DeployTools.YAML.readTree(configMap(docs, "prometheus-config").at("/data/prometheus.yml").asText());
        assertEquals("/etc/prometheus/rules/*.yaml", cfg.at("/rule_files/0").asText());
        JsonNode job = null;
        for (JsonNode j : cfg.path("scrape_configs")) {
            if (j.path("job_name").asText().equals("streamq")) {
                job = j;
            }
        }
        assertTrue(job != null, "scrape job streamq");
        assertEquals("pod", job.at("/kubernetes_sd_configs/0/role").asText());
        assertEquals("streamq", job.at("/kubernetes_sd_configs/0/namespaces/names/0").asText());
        // The alert rules select on these labels (WorkersDown: up{job="streamq", role="worker"}).
        Set<String> targets = new HashSet<>();
        job.path("relabel_configs").forEach(r -> targets.add(r.path("target_label").asText()));
        assertTrue(targets.containsAll(Set.of("namespace", "pod", "role", "app", "__metrics_path__", "__address__")), targets.toString());

        // Prometheus lists pods cluster-wide: its ServiceAccount must be bound.
        JsonNode binding = one(docs, "ClusterRoleBinding", "streamq-prometheus");
        assertEquals("prometheus", binding.at("/subjects/0/name").asText());
        assertEquals("observability", binding.at("/subjects/0/namespace").asText());
    }

    @Test
    void grafanaDatasourceUidsAreTheOnesTheDashboardsUse() throws IOException {
        List<JsonNode> docs = docs();
        JsonNode ds = DeployTools.YAML.readTree(configMap(docs, "grafana-datasources").at("/data/datasources.yaml").asText());
        Set<String> uids = new HashSet<>();
        ds.path("datasources").forEach(d -> uids.add(d.path("uid").asText()));
        assertEquals(Set.of("prometheus", "loki"), uids);

        JsonNode dashboards = configMap(docs, "grafana-dashboards").path("data");
        assertTrue(dashboards.size() >= 1, "dashboards provisioned");
        try (var files = java.nio.file.Files.list(DeployTools.path("loki/dashboards"))) {
            for (var file : files.toList()) {
                String name = file.getFileName().toString();
                assertEquals(DeployTools.read("loki/dashboards/" + name), dashboards.path(name).asText(), name + " provisioned as in the repo");
            }
        }
        for (JsonNode text : dashboards) {
            JsonNode dash = DeployTools.JSON.readTree(text.asText());
            for (JsonNode ref : dash.findValues("datasource")) {
                if (ref.isObject() && ref.has("uid")) {
                    assertTrue(uids.contains(ref.path("uid").asText()), "datasource uid " + ref);
                }
            }
        }
        JsonNode provider = DeployTools.YAML.readTree(configMap(docs, "grafana-dashboard-provider").at("/data/dashboards.yaml").asText());
        String dashPath = provider.at("/providers/0/options/path").asText();
        assertEquals(dashPath, mountPath(container(one(docs, "Deployment", "grafana"), "grafana"), "dashboards"),
                "dashboards mounted where the provider reads them");
    }

    @Test
    void alloyRunsOnEveryNodeAndReadsThatNodesPodLogs() {
        List<JsonNode> docs = docs();
        JsonNode ds = one(docs, "DaemonSet", "alloy");
        JsonNode c = container(ds, "alloy");
        assertTrue(c.path("env").toString().contains("\"fieldPath\":\"spec.nodeName\""), "NODE_NAME from the downward API");
        assertTrue(podSpec(ds).path("volumes").toString().contains("\"path\":\"/var/log/pods\""));
        assertTrue(c.path("args").toString().contains("--storage.path=/var/lib/alloy/data"), "positions survive restarts");
        assertTrue(podSpec(ds).path("volumes").toString().contains("\"path\":\"/var/lib/alloy\""));
        String config = configMap(docs, "alloy-config").at("/data/config.alloy").asText();
        assertTrue(config.contains("http://loki.observability.svc.cluster.local:3100/loki/api/v1/push"));
        assertEquals("streamq-alloy", one(docs, "ClusterRoleBinding", "streamq-alloy").at("/roleRef/name").asText());
    }

    @Test
    void everyReferencedConfigMapIsRendered() {
        List<JsonNode> docs = docs();
        Set<String> maps = new HashSet<>();
        ofKind(docs, "ConfigMap").forEach(m -> maps.add(m.at("/metadata/name").asText()));
        docs.stream().filter(d -> d.at("/spec/template/spec").isObject()).forEach(w ->
                podSpec(w).path("volumes").forEach(v -> {
                    if (v.has("configMap")) {
                        String name = v.at("/configMap/name").asText();
                        assertTrue(maps.contains(name), w.at("/metadata/name").asText() + " mounts missing ConfigMap " + name);
                    }
                }));
        docs.forEach(d -> {
            if (!d.path("kind").asText().startsWith("Cluster") && !d.path("kind").asText().equals("Namespace")) {
                assertEquals("observability", d.at("/metadata/namespace").asText(), d.path("kind") + " " + d.at("/metadata/name"));
            }
        });
    }
}

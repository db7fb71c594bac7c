package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.assertContains;
import static dev.streamq.deploy.DeployTools.configMap;
import static dev.streamq.deploy.DeployTools.container;
import static dev.streamq.deploy.DeployTools.kustomize;
import static dev.streamq.deploy.DeployTools.ofKind;
import static dev.streamq.deploy.DeployTools.one;
import static dev.streamq.deploy.DeployTools.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rendered facts of overlays/cluster (Redis Cluster in the namespace) and overlays/managed
 * (no Redis pods, TLS to a provider's endpoint). What the scripts do when run is
 * RedisClusterScriptsTest's part; this checks that the manifests wire them up as they assume.
 */
class ClusterOverlayTest {

    private static final String STS = "redis-cluster";

    private static List<JsonNode> render(String overlay) {
        return kustomize("deploy/k8s/overlays/" + overlay);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster", "cluster-keda"})
    void sixNodesOnAPvcBehindAHeadlessServiceWithTheBusPortOpen(String overlay) {
        List<JsonNode> docs = render(overlay);
        JsonNode sts = one(docs, "StatefulSet", STS);
        JsonNode topo = configMap(docs, "redis-cluster-topology").path("data");
        int nodes = sts.at("/spec/replicas").asInt();
        int replicasPerMaster = topo.path("CLUSTER_REPLICAS").asInt();
        assertEquals(6, nodes, "6 nodes");
        // The create Job lists the nodes by ordinal: it must count the same pods the StatefulSet runs.
        assertEquals(nodes, topo.path("CLUSTER_NODES").asInt(), "CLUSTER_NODES = StatefulSet replicas");
        assertEquals(0, nodes % (1 + replicasPerMaster), "whole shards");
        assertTrue(nodes / (1 + replicasPerMaster) >= 3, "redis-cli --cluster create needs at least 3 masters");
        assertEquals("Parallel", sts.at("/spec/podManagementPolicy").asText());

        JsonNode svc = one(docs, "Service", sts.at("/spec/serviceName").asText());
        assertEquals("None", svc.at("/spec/clusterIP").asText(), "headless: one stable DNS name per pod");
        assertTrue(svc.at("/spec/publishNotReadyAddresses").asBoolean(), "names resolve before the cluster is ok");
        assertEquals(STS, svc.at("/spec/selector/app").asText());
        assertEquals(Map.of("redis", 6379, "cluster-bus", 16379), ports(svc.at("/spec/ports"), "port"));
        JsonNode redis = container(sts, "redis");
        assertEquals(Map.of("redis", 6379, "cluster-bus", 16379), ports(redis.path("ports"), "containerPort"));

        // AOF and nodes.conf on the PVC, in the init container (which refreshes nodes.conf) and in Redis.
        JsonNode vct = sts.at("/spec/volumeClaimTemplates/0");
        assertEquals("data", vct.at("/metadata/name").asText());
        assertFalse(vct.at("/spec/resources/requests/storage").asText().isEmpty());
        assertEquals("/data", mountPath(redis, "data"));
        assertEquals("/data", mountPath(podSpec(sts).at("/initContainers/0"), "data"));
        String init = configMap(docs, "redis-cluster-scripts").at("/data/cluster-init.sh").asText();
        assertContains(init, "nodes=\"${NODES_CONF:-/data/nodes.conf}\"", "nodes.conf defaults to the PVC");
        for (String line : List.of("cluster-enabled yes", "cluster-config-file ${nodes}", "cluster-port 16379",
                "cluster-announce-hostname ${self}", "cluster-preferred-endpoint-type hostname",
                "cluster-require-full-coverage no", "cluster-node-timeout 5000", "appendonly yes", "appendfsync everysec",
                "min-replicas-to-write 1", "min-replicas-max-lag 10", "maxmemory-policy noeviction")) {
            assertContains(init, "\n" + line + "\n", "redis.conf written by cluster-init.sh");
        }
        // The announced name is the pod's name under the headless Service.
        assertContains(init, "self=\"${CLUSTER_SVC}-${ordinal}.${CLUSTER_SVC}.${POD_NAMESPACE}.svc.${CLUSTER_DOMAIN}\"",
                "announced hostname");
        assertContains(init, "CLUSTER_SVC=" + svc.at("/metadata/name").asText() + "\n", "the Service the names live under");
        assertEquals("sh /scripts/cluster-init.sh", String.join(" ", texts(podSpec(sts).at("/initContainers/0/command"))));
    }

    @Test
    void theCreateJobRunsTheScriptAgainstEveryOrdinal() {
        List<JsonNode> docs = render("cluster");
        JsonNode job = one(docs, "Job", "redis-cluster-create");
        JsonNode c = podSpec(job).at("/containers/0");
        assertEquals("sh /scripts/cluster-create.sh", String.join(" ", texts(c.path("command"))));
        assertEquals("redis-cluster-scripts", volume(job, mountPathVolume(c, "/scripts")).at("/configMap/name").asText()
                .replaceFirst("-[a-z0-9]{10}$", ""));
        assertTrue(c.path("envFrom").toString().contains("redis-cluster-topology"), "CLUSTER_NODES from the topology");
        assertTrue(Set.of("OnFailure", "Never").contains(podSpec(job).path("restartPolicy").asText()));
        assertTrue(job.at("/spec/backoffLimit").asInt() >= 1, "a failed attempt is retried");
        String create = configMap(docs, "redis-cluster-scripts").at("/data/cluster-create.sh").asText();
        assertContains(create, "redis-cli --cluster create $NODE_ADDRESSES --cluster-replicas \"$CLUSTER_REPLICAS\" --cluster-yes",
                "cluster-create.sh");
        assertContains(create, "${CLUSTER_SVC}-${i}.${CLUSTER_SVC}.${POD_NAMESPACE}.svc.${CLUSTER_DOMAIN}:6379", "node addresses");
        assertContains(create, "CLUSTER_SVC=" + STS + "\n", "cluster-create.sh names the headless Service");
        // Idempotent: the script creates only when every node is empty, and checks cluster_state first.
        assertContains(create, "cluster_state", "cluster-create.sh checks CLUSTER INFO");
        // The password reaches redis-cli through REDISCLI_AUTH, never argv.
        assertEquals("streamq-redis", envSecret(c, "REDISCLI_AUTH"));
        assertFalse(create.contains(" -a "), "no password on the command line");
    }

    @Test
    void podsSpreadOnePerNodeAndDrainOneAtATime() {
        List<JsonNode> docs = render("cluster");
        JsonNode sts = one(docs, "StatefulSet", STS);
        JsonNode anti = podSpec(sts).at("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution");
        assertEquals(1, anti.size(), "one hard rule");
        assertEquals("kubernetes.io/hostname", anti.at("/0/topologyKey").asText());
        assertEquals(Map.of("app", STS), DeployTools.JSON.convertValue(anti.at("/0/labelSelector/matchLabels"), Map.class));
        assertEquals(STS, sts.at("/spec/template/metadata/labels/app").asText());

        JsonNode pdb = one(docs, "PodDisruptionBudget", STS);
        assertEquals(1, pdb.at("/spec/maxUnavailable").asInt());
        assertEquals(STS, pdb.at("/spec/selector/matchLabels/app").asText());
        // Rolling updates wait for readiness, which waits for the cluster and the replication link.
        String ready = String.join(" ", texts(container(sts, "redis").at("/readinessProbe/exec/command")));
        assertContains(ready, "cluster_state:ok", "readiness");
        assertContains(ready, "master_link_status:down", "readiness");
    }

    @Test
    void onlyTheNodesSpeakTheBusAndOnlyStreamqAndTheJobReachTheClientPort() {
        List<JsonNode> docs = render("cluster");
        JsonNode policy = one(docs, "NetworkPolicy", "redis-cluster-allow");
        assertEquals(List.of(STS), texts(policy.at("/spec/podSelector/matchExpressions/0/values")));
        Map<Integer, Set<String>> from = new TreeMap<>();
        for (JsonNode rule : policy.at("/spec/ingress")) {
            Set<String> apps = new HashSet<>();
            for (JsonNode peer : rule.path("from")) {
                assertTrue(peer.path("namespaceSelector").isMissingNode(), "same namespace only");
                peer.at("/podSelector/matchExpressions/0/values").forEach(v -> apps.add(v.asText()));
                if (peer.at("/podSelector/matchLabels/app").isTextual()) {
                    apps.add(peer.at("/podSelector/matchLabels/app").asText());
                }
            }
            rule.path("ports").forEach(p -> from.computeIfAbsent(p.path("port").asInt(), k -> new HashSet<>()).addAll(apps));
        }
        String jobApp = one(docs, "Job", "redis-cluster-create").at("/spec/template/metadata/labels/app").asText();
        assertEquals(Map.of(6379, Set.of("streamq", STS, jobApp), 16379, Set.of(STS)), from);
    }

    @Test
    void theAppIsAClusterClientSeededWithThePodNames() {
        List<JsonNode> docs = render("cluster");
        JsonNode app = configMap(docs, "streamq-config").path("data");
        assertEquals("cluster", app.path("QUARKUS_REDIS_CLIENT_TYPE").asText());
        assertTrue(app.path("QUARKUS_REDIS_MASTER_NAME").isMissingNode(), "no Sentinel master name");
        assertTrue(app.path("STREAMQ_DURABILITY_ALL_REPLICAS").isMissingNode(), "durability left to the shipped default");
        assertTrue(app.path("STREAMQ_DURABILITY_MIN_REPLICAS").isMissingNode(), "durability left to the shipped default");
        int nodes = one(docs, "StatefulSet", STS).at("/spec/replicas").asInt();
        Pattern seed = Pattern.compile("redis://" + STS + "-(\\d+)\\." + STS + ":6379");
        Set<Integer> ordinals = new HashSet<>();
        List<String> seeds = Arrays.asList(app.path("QUARKUS_REDIS_HOSTS").asText().split(","));
        for (String s : seeds) {
            Matcher m = seed.matcher(s);
            assertTrue(m.matches(), "a seed is a StatefulSet pod's name under the headless Service: " + s);
            int ordinal = Integer.parseInt(m.group(1));
            assertTrue(ordinal < nodes, s + ": no such pod");
            assertTrue(ordinals.add(ordinal), "listed twice: " + s);
        }
        assertTrue(ordinals.size() >= 3, "several seeds, so that startup survives a node down: " + seeds);
        // Nothing of the Sentinel topology is left in this overlay.
        assertEquals(0, ofKind(docs, "StatefulSet").filter(s -> !s.at("/metadata/name").asText().equals(STS)).count());
    }

    @Test
    void managedRunsNoRedisAndTrustsTheProviderCaFromTheSecret() {
        List<JsonNode> docs = render("managed");
        assertEquals(0, ofKind(docs, "StatefulSet").count(), "no Redis StatefulSet");
        assertEquals(0, ofKind(docs, "Job").count(), "no cluster Job");
        List<String> deployments = ofKind(docs, "Deployment").map(d -> d.at("/metadata/name").asText()).sorted().toList();
        assertEquals(List.of("streamq-api", "streamq-worker"), deployments, "only the app");
        assertEquals(0, docs.stream().filter(d -> d.toString().contains("redis:7")).count(), "no Redis image anywhere");
        assertEquals(0, ofKind(docs, "Secret").count(), "the overlay ships no Secret: the operator creates it");

        JsonNode app = configMap(docs, "streamq-config").path("data");
        assertTrue(Set.of("standalone", "cluster").contains(app.path("QUARKUS_REDIS_CLIENT_TYPE").asText()));
        assertTrue(app.path("QUARKUS_REDIS_MASTER_NAME").isMissingNode(), "no Sentinel master name");
        for (String host : app.path("QUARKUS_REDIS_HOSTS").asText().split(",")) {
            assertTrue(host.matches("rediss://[a-z0-9_-]+@[a-z0-9.-]+:\\d+"), "TLS, an ACL user, no password in the URI: " + host);
        }
        // The TLS registry key is derived from the configuration's name: quarkus.tls.<name>.trust-store.pem.certs.
        String tlsName = app.path("QUARKUS_REDIS_TLS_CONFIGURATION_NAME").asText();
        assertFalse(tlsName.isEmpty(), "a named TLS configuration");
        String caKey = "QUARKUS_TLS_" + tlsName.toUpperCase(Locale.ROOT).replace('-', '_') + "_TRUST_STORE_PEM_CERTS";
        String caPath = app.path(caKey).asText();
        assertFalse(caPath.isEmpty(), caKey + " set");
        String verify = caKey.replace("_TRUST_STORE_PEM_CERTS", "_HOSTNAME_VERIFICATION_ALGORITHM");
        assertEquals("HTTPS", app.path(verify).asText(), verify + ": the server certificate must name the endpoint");

        for (String role : List.of("api", "worker")) {
            JsonNode deploy = one(docs, "Deployment", "streamq-" + role);
            JsonNode c = container(deploy, "streamq-" + role);
            assertEquals("streamq-redis", envSecret(c, "QUARKUS_REDIS_PASSWORD"));
            JsonNode pw = c.path("env").findParent("secretKeyRef");
            assertFalse(pw.at("/secretKeyRef/optional").asBoolean(), "the password is required for a managed Redis");
            // The CA file is where the TLS configuration looks: a read-only mount of the Secret's ca.pem.
            JsonNode mount = null;
            for (JsonNode m : c.path("volumeMounts")) {
                if (caPath.startsWith(m.path("mountPath").asText() + "/")) {
                    mount = m;
                }
            }
            assertTrue(mount != null, role + ": nothing mounted above " + caPath);
            assertTrue(mount.path("readOnly").asBoolean(), role + " CA mount read-only");
            JsonNode secret = volume(deploy, mount.path("name").asText()).path("secret");
            assertEquals("streamq-redis", secret.path("secretName").asText());
            String file = caPath.substring(mount.path("mountPath").asText().length() + 1);
            List<String> items = new ArrayList<>();
            secret.path("items").forEach(i -> items.add(i.path("key").asText() + "->" + i.path("path").asText()));
            assertEquals(List.of("ca.pem->" + file), items, role + ": the Secret's ca.pem lands at " + caPath);
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static Map<String, Integer> ports(JsonNode ports, String field) {
        Map<String, Integer> named = new TreeMap<>();
        ports.forEach(p -> named.put(p.path("name").asText(), p.path(field).asInt()));
        return named;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        return "";
    }

    private static String mountPathVolume(JsonNode container, String path) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(path)) {
                return m.path("name").asText();
            }
        }
        return "";
    }

    private static JsonNode volume(JsonNode workload, String name) {
        for (JsonNode v : podSpec(workload).path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name + " in " + workload.at("/metadata/name").asText());
    }

    /** The Secret an env variable is read from, or "". */
    private static String envSecret(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.at("/valueFrom/secretKeyRef/name").asText();
            }
        }
        return "";
    }
}

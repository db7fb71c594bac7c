package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.assertContains;
import static dev.streamq.deploy.DeployTools.configMap;
import static dev.streamq.deploy.DeployTools.container;
import static dev.streamq.deploy.DeployTools.env;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders deploy/k8s/overlays/* with kubectl kustomize and checks the facts the app and the drills rely on.
 * The Redis Cluster and managed-Redis specifics are in ClusterOverlayTest, KEDA's in KedaScaledObjectTest.
 */
class KustomizeOverlaysTest {

    private static List<JsonNode> render(String overlay) {
        return kustomize("deploy/k8s/overlays/" + overlay);
    }

    @ParameterizedTest
    @CsvSource({"ha,api", "ha,worker", "mvp,api", "mvp,worker", "ha-jvm,api", "ha-jvm,worker", "cluster,api", "cluster,worker",
            "managed,api", "managed,worker", "ha-keda,api", "ha-keda,worker", "cluster-keda,api", "cluster-keda,worker"})
    void eachRoleIsItsOwnDeploymentWithProbesOnTheQuarkusHealthPaths(String overlay, String role) {
        List<JsonNode> docs = render(overlay);
        JsonNode deploy = one(docs, "Deployment", "streamq-" + role);
        JsonNode c = container(deploy, "streamq-" + role);

        assertEquals(Optional.of(role), env(c, "STREAMQ_ROLE"));
        assertEquals("/q/health/live", c.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/q/health/ready", c.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/q/health/started", c.at("/startupProbe/httpGet/path").asText());
        // health and metrics on the management port (quarkus.management.port), apart from the job API
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertEquals("management", c.at("/" + probe + "/httpGet/port").asText(), probe);
        }
        Map<String, Integer> ports = new HashMap<>();
        c.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        assertEquals(role.equals("api") ? Map.of("http", 8080, "management", 9000) : Map.of("management", 9000), ports,
                "a worker serves no job API");

        JsonNode labels = deploy.at("/spec/template/metadata/labels");
        assertEquals("streamq", labels.path("app").asText());
        assertEquals(role, labels.path("role").asText());
        JsonNode annotations = deploy.at("/spec/template/metadata/annotations");
        assertEquals("true", annotations.path("prometheus.io/scrape").asText());
        assertEquals("/q/metrics", annotations.path("prometheus.io/path").asText());
        assertEquals("9000", annotations.path("prometheus.io/port").asText());

        JsonNode replicas = deploy.at("/spec/replicas");
        if (replicas.isMissingNode()) {
            // Left to the HPA of a KEDA ScaledObject: its floor is what must hold.
            JsonNode scaled = ofKind(docs, "ScaledObject")
                    .filter(so -> so.at("/spec/scaleTargetRef/name").asText().equals("streamq-" + role)).findFirst()
                    .orElseThrow(() -> new AssertionError("streamq-" + role + " has no replicas and no ScaledObject"));
            assertTrue(scaled.at("/spec/minReplicaCount").asInt() >= 2, "at least 2 " + role + " replicas (minReplicaCount)");
        } else {
            assertTrue(replicas.asInt() >= 2, "at least 2 " + role + " replicas");
        }
        JsonNode pdb = one(docs, "PodDisruptionBudget", "streamq-" + role);
        assertEquals(labels.path("role").asText(), pdb.at("/spec/selector/matchLabels/role").asText());

        // The Redis connection comes from the shared ConfigMap; the password from the streamq-redis
        // Secret: optional where Redis runs in the cluster, required for a managed Redis.
        assertTrue(c.path("envFrom").toString().contains("streamq-config"), "envFrom streamq-config");
        JsonNode pw = c.path("env").findParent("secretKeyRef");
        assertTrue(pw != null, "QUARKUS_REDIS_PASSWORD from a Secret");
        assertEquals("streamq-redis", pw.at("/secretKeyRef/name").asText());
        assertEquals(!overlay.equals("managed"), pw.at("/secretKeyRef/optional").asBoolean(), "streamq-redis optional");
    }

    /**
     * Production posture: the API verifies bearer tokens with a key mounted from a Secret it
     * cannot start without, nothing turns authentication or the demo handlers on or off, and
     * NetworkPolicies admit the API port only from producer namespaces and the management port
     * (probes and metrics) only from Prometheus.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ha", "mvp", "cluster", "managed", "ha-keda", "cluster-keda"})
    void apiWantsTokensAndOnlyProducersAndPrometheusReachThePods(String overlay) {
        List<JsonNode> docs = render(overlay);
        JsonNode api = one(docs, "Deployment", "streamq-api");
        JsonNode c = container(api, "streamq-api");
        String keyPath = env(c, "MP_JWT_VERIFY_PUBLICKEY_LOCATION").orElseThrow();
        boolean mounted = false;
        for (JsonNode m : c.path("volumeMounts")) {
            if (keyPath.startsWith(m.path("mountPath").asText() + "/") && m.path("readOnly").asBoolean()) {
                String volume = m.path("name").asText();
                for (JsonNode v : podSpec(api).path("volumes")) {
                    if (v.path("name").asText().equals(volume)) {
                        assertEquals("streamq-jwt", v.at("/secret/secretName").asText());
                        assertFalse(v.at("/secret/optional").asBoolean(), "the key Secret is required");
                        mounted = true;
                    }
                }
            }
        }
        assertTrue(mounted, "the verification key is mounted read-only from Secret streamq-jwt: " + c.path("volumeMounts"));
        JsonNode config = configMap(docs, "streamq-config").path("data");
        for (String key : List.of("STREAMQ_AUTH_ENABLED", "STREAMQ_WORKER_BUILTIN_HANDLERS")) {
            assertTrue(config.path(key).isMissingNode(), key + " left to the shipped default");
            assertTrue(env(c, key).isEmpty(), key + " left to the shipped default");
        }

        JsonNode apiPolicy = one(docs, "NetworkPolicy", "streamq-api-ingress");
        assertEquals("api", apiPolicy.at("/spec/podSelector/matchLabels/role").asText());
        // producers reach the job API's port only; Prometheus the management port only
        assertEquals(List.of("producer:8080", "observability:9000"), ingress(apiPolicy));
        JsonNode workerPolicy = one(docs, "NetworkPolicy", "streamq-worker-ingress");
        assertEquals("worker", workerPolicy.at("/spec/podSelector/matchLabels/role").asText());
        assertEquals(List.of("observability:9000"), ingress(workerPolicy), "producers do not reach workers");
    }

    /** Each ingress rule of a policy as "who:port": who names the producer and/or observability namespaces it admits. */
    private static List<String> ingress(JsonNode policy) {
        List<String> rules = new ArrayList<>();
        for (JsonNode rule : policy.at("/spec/ingress")) {
            String from = rule.path("from").toString();
            String who = (from.contains("streamq.dev/producer") ? "producer" : "")
                    + (from.contains("observability") ? "observability" : "");
            for (JsonNode port : rule.path("ports")) {
                rules.add(who + ":" + port.path("port").asInt());
            }
        }
        return rules;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ha", "mvp", "cluster", "managed", "ha-keda", "cluster-keda"})
    void workerOutlivesItsDrainAndApiServiceSelectsOnlyApiPods(String overlay) {
        List<JsonNode> docs = render(overlay);
        int workerGrace = podSpec(one(docs, "Deployment", "streamq-worker")).path("terminationGracePeriodSeconds").asInt();
        // App drains for 25 s; SIGKILL must come later than that.
        assertTrue(workerGrace >= 30, "worker terminationGracePeriodSeconds " + workerGrace + " < 30");

        JsonNode svc = one(docs, "Service", "streamq-api");
        assertEquals(Map.of("app", "streamq", "role", "api"),
                DeployTools.JSON.convertValue(svc.at("/spec/selector"), Map.class));
        assertEquals(1, ofKind(docs, "Service").filter(s -> s.at("/spec/selector/app").asText().equals("streamq")).count(),
                "workers get no Service");
    }

    @ParameterizedTest
    @CsvSource({"ha,3,3,2", "mvp,2,1,1", "ha-keda,3,3,2"})
    void redisTopologyMatchesTheOverlay(String overlay, int redisNodes, int sentinels, int quorum) {
        List<JsonNode> docs = render(overlay);
        JsonNode topo = configMap(docs, "redis-topology").path("data");
        assertEquals(quorum, topo.path("SENTINEL_QUORUM").asInt(), "sentinel quorum");
        assertEquals(redisNodes, topo.path("REDIS_NODES").asInt());
        assertEquals(sentinels, topo.path("SENTINEL_NODES").asInt());
        assertEquals("mymaster", topo.path("MASTER_NAME").asText());

        // The init scripts iterate over ordinals: the ConfigMap must agree with the StatefulSets.
        assertEquals(redisNodes, one(docs, "StatefulSet", "redis").at("/spec/replicas").asInt());
        assertEquals(sentinels, one(docs, "StatefulSet", "redis-sentinel").at("/spec/replicas").asInt());
        // A quorum above the sentinel count can never be reached; below a majority it can split.
        assertTrue(quorum <= sentinels && quorum > sentinels / 2, "quorum " + quorum + " of " + sentinels);

        // The app lists exactly the sentinels that exist, by their headless-service names.
        JsonNode app = configMap(docs, "streamq-config").path("data");
        assertEquals("sentinel", app.path("QUARKUS_REDIS_CLIENT_TYPE").asText());
        assertEquals("mymaster", app.path("QUARKUS_REDIS_MASTER_NAME").asText());
        // Safe by default: no key that would let a 2xx skip a replica Sentinel may promote.
        assertTrue(app.path("STREAMQ_DURABILITY_MIN_REPLICAS").isMissingNode(), "durability left to the shipped default");
        assertTrue(app.path("STREAMQ_DURABILITY_ALL_REPLICAS").isMissingNode(), "durability left to the shipped default");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < sentinels; i++) {
            expected.add("redis://redis-sentinel-" + i + ".redis-sentinel:26379");
        }
        assertEquals(expected, Arrays.asList(app.path("QUARKUS_REDIS_HOSTS").asText().split(",")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ha", "mvp"})
    void redisIsDurableAndRefusesUnreplicatedWrites(String overlay) {
        List<JsonNode> docs = render(overlay);
        String redisInit = configMap(docs, "redis-scripts").at("/data/redis-init.sh").asText();
        for (String line : List.of("appendonly yes", "appendfsync everysec", "min-replicas-to-write 1",
                "min-replicas-max-lag 10", "maxmemory-policy noeviction", "replica-announce-ip ${self}")) {
            assertContains(redisInit, "\n" + line + "\n", "redis.conf written by redis-init.sh");
        }
        String sentinelInit = configMap(docs, "redis-scripts").at("/data/sentinel-init.sh").asText();
        for (String line : List.of("sentinel down-after-milliseconds ${MASTER_NAME} 5000",
                "sentinel failover-timeout ${MASTER_NAME} 60000",
                "sentinel monitor ${MASTER_NAME} ${master} 6379 ${SENTINEL_QUORUM}",
                "sentinel resolve-hostnames yes")) {
            assertContains(sentinelInit, "\n" + line + "\n", "sentinel.conf written by sentinel-init.sh");
        }
        String discover = configMap(docs, "redis-scripts").at("/data/discover-master.sh").asText();
        assertContains(discover, "SENTINEL get-master-addr-by-name", "master discovery asks the sentinels");

        JsonNode redis = one(docs, "StatefulSet", "redis");
        JsonNode vct = redis.at("/spec/volumeClaimTemplates/0");
        assertEquals("data", vct.at("/metadata/name").asText(), "redis data PVC");
        assertFalse(vct.at("/spec/resources/requests/storage").asText().isEmpty());
        assertTrue(container(redis, "redis").path("volumeMounts").toString().contains("\"mountPath\":\"/data\""));
        one(docs, "PodDisruptionBudget", "redis");
        one(docs, "PodDisruptionBudget", "redis-sentinel");
        assertTrue(one(docs, "Service", "redis-sentinel").at("/spec/publishNotReadyAddresses").asBoolean());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ha", "mvp", "cluster", "managed", "ha-keda", "cluster-keda"})
    void everythingLandsInTheStreamqNamespaceUnderTheRestrictedPodSecurityStandard(String overlay) {
        List<JsonNode> docs = render(overlay);
        JsonNode ns = one(docs, "Namespace", "streamq");
        assertEquals("restricted", ns.at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText());
        for (JsonNode d : docs) {
            String kind = d.path("kind").asText();
            if (!kind.equals("Namespace")) {
                assertEquals("streamq", d.at("/metadata/namespace").asText(), kind + " " + d.at("/metadata/name").asText());
            }
        }
        // The namespace enforces "restricted": a pod that violates it is rejected at admission.
        docs.stream().filter(d -> d.at("/spec/template/spec").isObject()).forEach(w -> {
            String name = w.at("/metadata/name").asText();
            JsonNode spec = podSpec(w);
            assertEquals("RuntimeDefault", spec.at("/securityContext/seccompProfile/type").asText(), name + " seccomp");
            boolean podNonRoot = spec.at("/securityContext/runAsNonRoot").asBoolean();
            List<JsonNode> all = new ArrayList<>();
            spec.path("initContainers").forEach(all::add);
            spec.path("containers").forEach(all::add);
            for (JsonNode c : all) {
                String where = name + "/" + c.path("name").asText();
                assertTrue(podNonRoot || c.at("/securityContext/runAsNonRoot").asBoolean(), where + " runAsNonRoot");
                assertFalse(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true), where + " allowPrivilegeEscalation");
                assertEquals("[\"ALL\"]", c.at("/securityContext/capabilities/drop").toString(), where + " drops ALL");
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"ha", "ha-keda"})
    void haSpreadsRedisAndSentinelsOverNodes(String overlay) {
        List<JsonNode> docs = render(overlay);
        for (String sts : List.of("redis", "redis-sentinel")) {
            JsonNode anti = podSpec(one(docs, "StatefulSet", sts))
                    .at("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
            assertEquals("kubernetes.io/hostname", anti.path("topologyKey").asText(), sts + " hard anti-affinity");
            assertEquals(sts, anti.at("/labelSelector/matchLabels/app").asText());
        }
    }

    /**
     * ha-jvm: both roles run the JVM image with the options of components/jvm/jvm.env (the ones
     * lab bench measures RSS with), and the pod's memory limit leaves the heap under half of it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"api", "worker"})
    void theJvmOverlayRunsTheJvmImageWithTheShippedOptions(String role) throws java.io.IOException {
        List<JsonNode> docs = render("ha-jvm");
        List<String> env = java.nio.file.Files.readAllLines(java.nio.file.Path.of("deploy/k8s/components/jvm/jvm.env"));
        String shipped = env.stream().filter(l -> l.startsWith("JAVA_OPTS_APPEND=")).findFirst().orElseThrow()
                .replaceFirst("^JAVA_OPTS_APPEND=", "");
        JsonNode data = configMap(docs, "streamq-config").path("data");
        assertEquals(shipped, data.path("JAVA_OPTS_APPEND").asText());
        // fewer glibc malloc arenas than its default of 8 per core: the RSS lab bench measured
        assertEquals("2", data.path("MALLOC_ARENA_MAX").asText());
        JsonNode c = container(one(docs, "Deployment", "streamq-" + role), "streamq-" + role);
        assertTrue(c.path("image").asText().startsWith("streamq-jvm:"), c.path("image").asText());
        java.util.regex.Matcher xmx = java.util.regex.Pattern.compile("-Xmx(\\d+)m").matcher(shipped);
        assertTrue(xmx.find(), "no -Xmx in " + shipped);
        String limit = c.at("/resources/limits/memory").asText();
        assertTrue(limit.endsWith("Mi") && Integer.parseInt(limit.replace("Mi", "")) >= 2 * Integer.parseInt(xmx.group(1)),
                "limit " + limit + " for a heap of " + xmx.group(1) + " MiB");
    }
}

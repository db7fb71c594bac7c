package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.configMap;
import static dev.streamq.deploy.DeployTools.container;
import static dev.streamq.deploy.DeployTools.kustomize;
import static dev.streamq.deploy.DeployTools.ofKind;
import static dev.streamq.deploy.DeployTools.one;
import static dev.streamq.deploy.DeployTools.path;
import static dev.streamq.deploy.DeployTools.read;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KEDA's CRDs are not installed offline, so nothing validates a ScaledObject's schema here:
 * this test asserts what the redis-*-streams scalers need (KEDA docs and
 * pkg/scalers/redis_streams_scaler.go) and that every name in them points at something the
 * same render contains: the worker Deployment, the queue's stream key, the Redis pods, the
 * Secret, and a NetworkPolicy that lets the KEDA operator in.
 */
class KedaScaledObjectTest {

    /** streamq's key layout: queue q's ready stream; q as QueueName accepts it. */
    private static final Pattern STREAM = Pattern.compile("streamq:\\{([a-z0-9][a-z0-9._-]{0,63})\\}:ready");
    /** A pod of a StatefulSet under its headless Service, by full name (KEDA resolves from its own namespace). */
    private static final Pattern ADDRESS = Pattern.compile("([a-z0-9-]+)-(\\d+)\\.([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local:(\\d+)");

    @ParameterizedTest
    @CsvSource({"ha-keda,redis-sentinel-streams,redis-sentinel", "cluster-keda,redis-cluster-streams,redis-cluster"})
    void theScaledObjectMeasuresEachQueueAndEveryReferenceResolves(String overlay, String type, String addressed) {
        List<JsonNode> docs = kustomize("deploy/k8s/overlays/" + overlay);
        List<String> streams = checkScaledObject(docs, type, addressed);
        assertEquals(List.of("streamq:{change-me}:ready"), streams, "the shipped placeholder queue");
    }

    /**
     * The way docs/kubernetes-cluster.md tells operators to name their queues (the yaml block
     * after the "keda-queues-example" marker) is rendered on top of cluster-keda and must give
     * one well-formed trigger per queue.
     */
    @ParameterizedTest
    @CsvSource({"ha-keda,redis-sentinel-streams,redis-sentinel", "cluster-keda,redis-cluster-streams,redis-cluster"})
    void theDocumentedPatchAddsAQueue(String overlay, String type, String addressed) throws IOException {
        String doc = read("docs/kubernetes-cluster.md");
        Matcher block = Pattern.compile("<!-- keda-queues-example -->\\s*```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "docs/kubernetes-cluster.md lost its keda-queues-example block");
        String example = block.group(1);
        assertTrue(example.contains("  - ../cluster-keda\n"), "the example builds on overlays/cluster-keda");
        Path dir = Files.createDirectories(path("target/keda-example/" + overlay));
        Files.writeString(dir.resolve("kustomization.yaml"),
                example.replace("  - ../cluster-keda\n", "  - ../../../deploy/k8s/overlays/" + overlay + "\n"));
        List<JsonNode> docs = DeployTools.parseYamlDocs(
                DeployTools.runOk(List.of("kubectl", "kustomize", path("").relativize(dir).toString())).out());
        assertEquals(List.of("streamq:{orders}:ready", "streamq:{billing}:ready"), checkScaledObject(docs, type, addressed));
    }

    /** Asserts the ScaledObject of a render and returns its streams, in trigger order. */
    private static List<String> checkScaledObject(List<JsonNode> docs, String type, String addressed) {
        List<JsonNode> scaled = ofKind(docs, "ScaledObject").toList();
        assertEquals(1, scaled.size(), "one ScaledObject");
        JsonNode so = scaled.get(0);
        assertEquals("keda.sh/v1alpha1", so.path("apiVersion").asText());

        // scaleTargetRef: a Deployment (the default kind) of this render, the worker role.
        JsonNode target = so.at("/spec/scaleTargetRef");
        assertEquals("Deployment", target.path("kind").asText("Deployment"));
        assertEquals("apps/v1", target.path("apiVersion").asText("apps/v1"));
        JsonNode worker = one(docs, "Deployment", target.path("name").asText());
        assertEquals("worker", worker.at("/spec/template/metadata/labels/role").asText(), "KEDA scales the workers");
        assertTrue(worker.at("/spec/replicas").isMissingNode(), "the HPA owns the replica count, not every kubectl apply");
        int min = so.at("/spec/minReplicaCount").asInt();
        int max = so.at("/spec/maxReplicaCount").asInt();
        assertTrue(min >= 2 && min <= max, "2 <= minReplicaCount <= maxReplicaCount: " + min + ", " + max);

        JsonNode workerPw = container(worker, worker.at("/metadata/name").asText()).path("env").findParent("secretKeyRef")
                .path("secretKeyRef");
        int concurrency = configMap(docs, "streamq-config").at("/data/STREAMQ_WORKER_CONCURRENCY").asInt();

        List<String> streams = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode trigger : so.at("/spec/triggers")) {
            assertEquals(type, trigger.path("type").asText());
            assertTrue(names.add(trigger.path("name").asText()), "trigger names are unique: " + trigger.path("name"));
            JsonNode meta = trigger.path("metadata");
            String stream = meta.path("stream").asText();
            Matcher queue = STREAM.matcher(stream);
            assertTrue(queue.matches(), "stream follows streamq's key layout streamq:{<queue>}:ready: " + stream);
            assertEquals("queue-" + queue.group(1), trigger.path("name").asText(), "a trigger is named after its queue");
            streams.add(stream);
            // consumerGroup would switch the scaler from XLEN (waiting + running) to XPENDING or the lag.
            for (String key : List.of("consumerGroup", "lagCount", "pendingEntriesCount")) {
                assertTrue(meta.path(key).isMissingNode(), key + " must not be set: the trigger measures XLEN");
            }
            // Every metadata value is a string in the CRD (a YAML number would be rejected).
            meta.fields().forEachRemaining(f -> assertTrue(f.getValue().isTextual(), f.getKey() + " must be a string"));
            int perPod = Integer.parseInt(meta.path("streamLength").asText());
            assertTrue(perPod >= concurrency, "streamLength " + perPod + " per pod below the " + concurrency
                    + " jobs a pod runs at once: pods would be added that cannot be kept busy");

            checkAddresses(docs, meta.path("addresses").asText(), addressed);
            if (type.equals("redis-sentinel-streams")) {
                String master = meta.path("sentinelMaster").asText();
                assertEquals(configMap(docs, "redis-topology").at("/data/MASTER_NAME").asText(), master);
                assertEquals(configMap(docs, "streamq-config").at("/data/QUARKUS_REDIS_MASTER_NAME").asText(), master);
            }

            // The password: a TriggerAuthentication of this render, from the Secret and key the worker uses.
            JsonNode auth = one(docs, "TriggerAuthentication", trigger.at("/authenticationRef/name").asText());
            Map<String, String> params = new TreeMap<>();
            for (JsonNode ref : auth.at("/spec/secretTargetRef")) {
                params.put(ref.path("parameter").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
            }
            String secret = workerPw.path("name").asText() + "/" + workerPw.path("key").asText();
            Map<String, String> expected = type.equals("redis-sentinel-streams")
                    ? Map.of("password", secret, "sentinelPassword", secret) // sentinels require the same password
                    : Map.of("password", secret);
            assertEquals(new TreeMap<>(expected), params, "TriggerAuthentication " + auth.at("/metadata/name").asText());
        }
        assertFalse(streams.isEmpty(), "at least one trigger");
        assertEquals(streams.size(), new HashSet<>(streams).size(), "one trigger per queue: " + streams);
        return streams;
    }

    /** Every address names a pod of the StatefulSet `addressed`, and KEDA's namespace may reach its port. */
    private static void checkAddresses(List<JsonNode> docs, String addresses, String addressed) {
        JsonNode sts = one(docs, "StatefulSet", addressed);
        Set<Integer> ordinals = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (String address : addresses.split(",")) {
            Matcher m = ADDRESS.matcher(address);
            assertTrue(m.matches(), "host:port of a pod by its full DNS name: " + address);
            assertEquals(addressed, m.group(1), address);
            assertEquals(sts.at("/spec/serviceName").asText(), m.group(3), address + ": the StatefulSet's Service");
            assertEquals(sts.at("/metadata/namespace").asText(), m.group(4), address + ": the namespace");
            int ordinal = Integer.parseInt(m.group(2));
            assertTrue(ordinal < sts.at("/spec/replicas").asInt(), address + ": no such pod");
            assertTrue(ordinals.add(ordinal), "listed twice: " + address);
            int port = Integer.parseInt(m.group(5));
            JsonNode svc = one(docs, "Service", m.group(3));
            assertEquals("None", svc.at("/spec/clusterIP").asText(), "headless: pod names resolve");
            assertTrue(svc.at("/spec/ports").findValuesAsText("port").contains(String.valueOf(port)), address + ": port not served");
            ports.add(port);
        }
        if (addressed.equals("redis-sentinel")) {
            assertEquals(sts.at("/spec/replicas").asInt(), ordinals.size(), "every sentinel listed");
            ports.add(6379); // the master Sentinel points at
        }
        String app = sts.at("/spec/template/metadata/labels/app").asText();
        for (int port : ports) {
            assertTrue(kedaMayReach(docs, app, port), "no NetworkPolicy admits namespace keda to app=" + app + " port " + port);
        }
    }

    private static boolean kedaMayReach(List<JsonNode> docs, String app, int port) {
        return ofKind(docs, "NetworkPolicy").anyMatch(p -> {
            JsonNode selects = p.at("/spec/podSelector/matchExpressions/0");
            if (!selects.path("key").asText().equals("app") || !selects.path("values").toString().contains("\"" + app + "\"")) {
                return false;
            }
            for (JsonNode rule : p.at("/spec/ingress")) {
                boolean fromKeda = rule.path("from").toString().contains("\"kubernetes.io/metadata.name\":\"keda\"");
                boolean onPort = rule.path("ports").findValuesAsText("port").contains(String.valueOf(port));
                if (fromKeda && onPort) {
                    return true;
                }
            }
            return false;
        });
    }
}

package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.container;
import static dev.streamq.deploy.DeployTools.env;
import static dev.streamq.deploy.DeployTools.kustomize;
import static dev.streamq.deploy.DeployTools.one;
import static dev.streamq.deploy.DeployTools.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The manifest Quarkus generates (application.properties' kubernetes section plus
 * src/main/kubernetes/kubernetes.yml) must describe the same app as deploy/k8s/base, which is
 * what gets applied. The Quarkus build is not run here (it happens at package time); the
 * inputs it merges are compared instead.
 */
class QuarkusManifestTest {

    private static final String MARKER = "# --- kubernetes (quarkus-kubernetes) ---";

    private static Properties kubernetesSection() throws IOException {
        String all = DeployTools.read("src/main/resources/application.properties");
        int at = all.indexOf(MARKER);
        assertTrue(at >= 0, "application.properties has no '" + MARKER + "' section");
        Properties p = new Properties();
        p.load(new StringReader(all.substring(at)));
        return p;
    }

    @Test
    void generatedApiDeploymentMatchesTheKustomizeBase() throws IOException {
        Properties q = kubernetesSection();
        List<JsonNode> base = kustomize("deploy/k8s/base");
        JsonNode api = one(base, "Deployment", "streamq-api");
        JsonNode c = container(api, "streamq-api");

        assertEquals("streamq-api", q.getProperty("quarkus.kubernetes.name"));
        assertEquals("streamq", q.getProperty("quarkus.kubernetes.namespace"));
        assertEquals("streamq", q.getProperty("quarkus.kubernetes.labels.app"));
        assertEquals("api", q.getProperty("quarkus.kubernetes.labels.role"));
        assertEquals("api", q.getProperty("quarkus.kubernetes.env.vars.streamq-role"));
        assertEquals("false", q.getProperty("quarkus.kubernetes.add-version-to-label-selectors"),
                "immutable selectors must not carry the version");
        assertEquals(api.at("/spec/replicas").asText(), q.getProperty("quarkus.kubernetes.replicas"));
        assertEquals("streamq-config", q.getProperty("quarkus.kubernetes.env.configmaps"));
        assertTrue(q.getProperty("quarkus.container-image.image").startsWith("streamq:"));

        for (String probe : List.of("liveness", "readiness", "startup")) {
            assertEquals(c.at("/" + probe + "Probe/httpGet/path").asText(),
                    q.getProperty("quarkus.kubernetes." + probe + "-probe.http-action-path"), probe + " probe path");
            assertEquals(c.at("/" + probe + "Probe/periodSeconds").asText() + "s",
                    q.getProperty("quarkus.kubernetes." + probe + "-probe.period"), probe + " probe period");
            assertEquals(c.at("/" + probe + "Probe/failureThreshold").asText(),
                    q.getProperty("quarkus.kubernetes." + probe + "-probe.failure-threshold"), probe + " failure threshold");
        }
        assertEquals(c.at("/resources/requests/cpu").asText(), q.getProperty("quarkus.kubernetes.resources.requests.cpu"));
        assertEquals(c.at("/resources/requests/memory").asText(), q.getProperty("quarkus.kubernetes.resources.requests.memory"));
        assertEquals(c.at("/resources/limits/memory").asText(), q.getProperty("quarkus.kubernetes.resources.limits.memory"));
    }

    @Test
    void kubernetesYmlFragmentsMatchTheKustomizeBase() {
        List<JsonNode> fragments = DeployTools.parseYamlDocs(DeployTools.read("src/main/kubernetes/kubernetes.yml"));
        List<JsonNode> base = kustomize("deploy/k8s/base");

        // api extras: grace period, preStop, optional password.
        JsonNode apiFragment = one(fragments, "Deployment", "streamq-api");
        JsonNode apiBase = one(base, "Deployment", "streamq-api");
        assertEquals(podSpec(apiBase).path("terminationGracePeriodSeconds"), podSpec(apiFragment).path("terminationGracePeriodSeconds"));
        JsonNode apiC = container(apiFragment, "streamq-api");
        assertEquals(container(apiBase, "streamq-api").path("lifecycle"), apiC.path("lifecycle"));
        assertTrue(apiC.path("env").toString().contains("\"optional\":true"), "QUARKUS_REDIS_PASSWORD must be optional");

        // The worker is spelled out in full there: it must be the same worker.
        JsonNode wf = one(fragments, "Deployment", "streamq-worker");
        JsonNode wb = one(base, "Deployment", "streamq-worker");
        assertEquals(podSpec(wb).path("terminationGracePeriodSeconds").asInt(), podSpec(wf).path("terminationGracePeriodSeconds").asInt());
        assertTrue(podSpec(wf).path("terminationGracePeriodSeconds").asInt() >= 30);
        assertEquals(wb.at("/spec/replicas"), wf.at("/spec/replicas"));
        assertEquals(wb.at("/spec/selector"), wf.at("/spec/selector"));
        assertEquals(wb.at("/spec/template/metadata/annotations"), wf.at("/spec/template/metadata/annotations"));
        JsonNode cf = container(wf, "streamq-worker");
        JsonNode cb = container(wb, "streamq-worker");
        assertEquals(env(cb, "STREAMQ_ROLE"), env(cf, "STREAMQ_ROLE"));
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertEquals(cb.at("/" + probe + "/httpGet/path"), cf.at("/" + probe + "/httpGet/path"), probe);
        }
        assertEquals(cb.path("resources"), cf.path("resources"));
        assertEquals(cb.path("securityContext"), cf.path("securityContext"));
        // kustomize appends a content hash to the generated ConfigMap's name.
        assertEquals(cb.path("envFrom").toString().replaceAll("-[a-z0-9]{10}\"", "\""), cf.path("envFrom").toString());

        for (String pdb : List.of("streamq-api", "streamq-worker")) {
            assertEquals(one(base, "PodDisruptionBudget", pdb).path("spec"), one(fragments, "PodDisruptionBudget", pdb).path("spec"));
        }
    }
}

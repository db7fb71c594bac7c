package dev.streamq.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Helpers for the offline deployment checks: locate the repository, run external tools
 * (kubectl, promtool, yamllint, shellcheck) and parse their YAML/JSON. A missing tool is a
 * test failure with the install hint, never a skip: {@code deploy/local/lab test} (the README's
 * test command, which CI runs) installs them, kubectl aside: the README says how to get it.
 */
final class DeployTools {

    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    private DeployTools() {}

    /** The repository root (Surefire runs in the module directory, which is the root here). */
    static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("cannot find the repository root (no pom.xml above " + Path.of("").toAbsolutePath() + ")");
        }
        return dir;
    }

    static Path path(String relative) {
        return repo().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Result(int exit, String out, String err) {
        String both() {
            return out + (err.isEmpty() ? "" : "\n" + err);
        }
    }

    /**
     * Every tool a test may {@link #requireTool require}. ReadmeCommandsTest checks that
     * {@code deploy/local/lab test} installs each; requireTool refuses any other, so a new
     * tool cannot reach the suite without an install step.
     */
    static final Set<String> REQUIRED_TOOLS = Set.of(
            "kubectl", "node", "npm", "promtool", "redis-cli", "redis-sentinel", "redis-server", "sh", "shellcheck", "timeout", "yamllint");

    /** Fails the test when the tool is not in REQUIRED_TOOLS, or with an install hint when it is not on PATH. */
    static void requireTool(String tool, String installHint) {
        assertTrue(REQUIRED_TOOLS.contains(tool), () -> "requireTool(\"" + tool + "\"): add it to DeployTools.REQUIRED_TOOLS"
                + " and to the PACKAGE table in deploy/local/lab, so the README's test command installs it");
        String pathEnv = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : pathEnv.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        fail("required tool '" + tool + "' is not on PATH; install it (" + installHint + "). "
                + "These checks never skip: a missing tool would hide a broken deployment.");
    }

    static Result run(List<String> command) {
        return run(command, 60);
    }

    static Result run(List<String> command, int timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo().toFile());
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs the command and fails with its output unless it exits 0. */
    static Result runOk(List<String> command) {
        Result r = run(command);
        assertEquals(0, r.exit(), () -> String.join(" ", command) + " failed:\n" + r.both());
        return r;
    }

    private static String slurp(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** `kubectl kustomize DIR`, parsed; cached per directory for the whole test run. */
    static List<JsonNode> kustomize(String dir) {
        return RENDERED.computeIfAbsent(dir, d -> {
            requireTool("kubectl", "https://kubernetes.io/docs/tasks/tools/ - kubectl >= 1.27 bundles kustomize");
            return parseYamlDocs(runOk(List.of("kubectl", "kustomize", d)).out());
        });
    }

    static List<JsonNode> parseYamlDocs(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(new YAMLFactory().createParser(yaml))) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    static JsonNode yamlFile(String relative) {
        try {
            return YAML.readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText()));
    }

    static JsonNode one(List<JsonNode> docs, String kind, String name) {
        List<JsonNode> found = ofKind(docs, kind).filter(d -> name.equals(d.path("metadata").path("name").asText())).toList();
        assertEquals(1, found.size(), () -> "expected exactly one " + kind + "/" + name + ", found " + found.size());
        return found.get(0);
    }

    /**
     * A generated ConfigMap by its base name: kustomize appends a content hash
     * ("redis-topology-2t2cdhb4t4"), which must not make the tests brittle.
     */
    static JsonNode configMap(List<JsonNode> docs, String baseName) {
        List<JsonNode> found = ofKind(docs, "ConfigMap")
                .filter(d -> d.path("metadata").path("name").asText().matches(baseName + "(-[a-z0-9]{10})?"))
                .toList();
        assertEquals(1, found.size(), () -> "expected one ConfigMap " + baseName + "-<hash>, found " + found.size());
        return found.get(0);
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    static JsonNode container(JsonNode workload, String name) {
        for (JsonNode c : podSpec(workload).path("containers")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        return fail("no container " + name + " in " + workload.path("metadata").path("name").asText());
    }

    static Optional<String> env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return Optional.of(e.path("value").asText());
            }
        }
        return Optional.empty();
    }

    static void assertContains(String haystack, String needle, String what) {
        assertTrue(haystack.contains(needle), () -> what + ": expected to contain '" + needle + "'");
    }
}

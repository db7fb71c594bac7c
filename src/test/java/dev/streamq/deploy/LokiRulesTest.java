package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.configMap;
import static dev.streamq.deploy.DeployTools.container;
import static dev.streamq.deploy.DeployTools.kustomize;
import static dev.streamq.deploy.DeployTools.one;
import static dev.streamq.deploy.DeployTools.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamq.lab.drill.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Loki's ruler cannot run here (Loki is not in the OS packages), so its rules are checked
 * offline: the ruler's file format and tenant layout, LogQL metric queries on the stream labels
 * Alloy sets, a runbook per alert, the ConfigMap where the ruler reads it, and each rule's
 * log selection (stream selector, structured-metadata filter, {@code | json} extraction, label
 * filters) applied to real lines that streamq logged in drills (fixtures under
 * src/test/resources/dev/streamq/deploy/loki-rule-logs, see the README there). Event and field
 * names are EventVocabularyTest's: it scans loki/ and so this file.
 */
class LokiRulesTest {

    /** Under the ruler's local directory: one directory per tenant; "fake" when auth_enabled is false. */
    static final String RULES = "loki/rules/fake/streamq-log-alerts.yaml";
    private static final Path LOGS = DeployTools.path("src/test/resources/dev/streamq/deploy/loki-rule-logs");

    static final Pattern RANGE_AGGREGATION = Pattern.compile(
            "\\b(count_over_time|rate|bytes_over_time|bytes_rate)\\(\\s*(\\{[^{}]*})(.*?)\\[(\\d+[smhd])]\\s*\\)");
    private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_]\\w*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*");
    /** A line filter stage after the split on |: {@code ~ `re`}, {@code = "text"}, {@code != ...}, {@code !~ ...}. */
    private static final Pattern LINE_FILTER = Pattern.compile("(~|=|!=|!~)\\s*([`\"])(.*)\\2");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    private static final Pattern TEMPLATE_LABEL = Pattern.compile("\\$labels\\.(\\w+)");
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    /** One rule as the ruler reads it. */
    record Rule(String alert, String expr, JsonNode node) {
        String annotation(String name) {
            return node.at("/annotations/" + name).asText();
        }
    }

    private static List<Rule> rules() {
        JsonNode file = DeployTools.yamlFile(RULES);
        List<Rule> rules = new ArrayList<>();
        for (JsonNode group : file.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                rules.add(new Rule(rule.path("alert").asText(), rule.path("expr").asText(), rule));
            }
        }
        return rules;
    }

    @Test
    void theFileIsRuleGroupsOfAlertsTheRulerLoads() {
        JsonNode file = DeployTools.yamlFile(RULES);
        assertEquals(Set.of("groups"), fieldNames(file), "a ruler file has only groups");
        Set<String> groups = new HashSet<>();
        Set<String> alerts = new HashSet<>();
        for (JsonNode group : file.path("groups")) {
            assertTrue(groups.add(group.path("name").asText()), "group names are unique within a file: " + group.path("name"));
            assertTrue(group.path("rules").size() > 0, "group " + group.path("name") + " has rules");
            for (JsonNode rule : group.path("rules")) {
                String alert = rule.path("alert").asText();
                assertTrue(alert.matches("[A-Z][A-Za-z]+"), "alert name " + rule);
                assertTrue(alerts.add(alert), "alert " + alert + " twice");
                assertTrue(Set.of("alert", "expr", "for", "labels", "annotations").containsAll(fieldNames(rule)), alert + ": " + fieldNames(rule));
                assertFalse(rule.path("expr").asText().isBlank(), alert + " expr");
                if (rule.has("for")) {
                    assertTrue(rule.path("for").asText().matches("\\d+[smh]"), alert + " for");
                }
                assertTrue(SEVERITIES.contains(rule.at("/labels/severity").asText()), alert + " severity");
                for (String a : List.of("summary", "description", "runbook")) {
                    assertFalse(rule.at("/annotations/" + a).asText().isBlank(), alert + " annotation " + a);
                }
            }
        }
        assertTrue(alerts.containsAll(Set.of("RedisFailoverLogged", "JobsDeadLetteredLogged", "QueueNotConsumed")), alerts.toString());
    }

    @Test
    void everyExprIsAMetricQueryOnTheStreamLabelsAlone() {
        for (Rule rule : rules()) {
            Matcher m = RANGE_AGGREGATION.matcher(rule.expr());
            int aggregations = 0;
            while (m.find()) {
                aggregations++;
                for (Map.Entry<String, String[]> matcher : selector(m.group(2)).entrySet()) {
                    assertTrue(AlloyLabelsTest.ALLOWED.contains(matcher.getKey()),
                            rule.alert() + ": " + matcher.getKey() + " is not a stream label (Alloy sets " + AlloyLabelsTest.ALLOWED + ")");
                }
                assertEquals("streamq", selector(m.group(2)).get("namespace")[1], rule.alert() + " reads the streamq namespace");
            }
            assertTrue(aggregations > 0, rule.alert() + ": no range aggregation, so a log query, which the ruler cannot alert on");
            assertEquals(count(rule.expr(), "\\{"), aggregations, rule.alert() + ": a selector outside a range aggregation");
        }
    }

    @Test
    void everyAlertHasItsRunbookAndADrillOrTheLabToReproduceIt() {
        String operations = DeployTools.read("docs/operations.md");
        Set<String> drills = new HashSet<>(Scenario.names());
        for (Rule rule : rules()) {
            assertEquals("docs/operations.md#" + rule.alert().toLowerCase(), rule.annotation("runbook"));
            assertTrue(operations.contains("\n### " + rule.alert() + "\n"), "docs/operations.md has no section ### " + rule.alert());
            String reproduce = rule.annotation("reproduce");
            assertTrue(reproduce.equals("lab up") || reproduce.startsWith("lab drill ") && drills.contains(reproduce.substring(10)),
                    rule.alert() + ": reproduce = 'lab drill <one of " + drills + ">' or 'lab up', not '" + reproduce + "'");
        }
    }

    /** A label in a summary must be one the expression keeps (by), or the alert shows it empty. */
    @Test
    void annotationsNameOnlyLabelsTheResultCarries() {
        for (Rule rule : rules()) {
            Set<String> kept = grouping(rule.expr());
            for (JsonNode text : rule.node().path("annotations")) {
                Matcher m = TEMPLATE_LABEL.matcher(text.asText());
                while (m.find()) {
                    assertTrue(kept.contains(m.group(1)), rule.alert() + ": $labels." + m.group(1) + " but the result keeps only " + kept);
                }
            }
        }
    }

    @Test
    void theRulesConfigMapIsMountedWhereTheRulerReadsTheTenantsRules() throws IOException {
        List<JsonNode> docs = kustomize("deploy/observability");
        JsonNode cfg = DeployTools.YAML.readTree(configMap(docs, "loki-config").at("/data/loki-config.yaml").asText());
        assertEquals("local", cfg.at("/ruler/storage/type").asText());
        String directory = cfg.at("/ruler/storage/local/directory").asText();
        assertFalse(cfg.path("auth_enabled").asBoolean(true), "tenant fake needs auth_enabled: false");
        assertTrue(cfg.at("/ruler/enable_api").asBoolean(), "Grafana lists the rules through the ruler API");
        assertFalse(cfg.at("/ruler/alertmanager_url").asText().isBlank(), "alertmanager_url is documented, not left out");

        JsonNode rules = configMap(docs, "loki-rules");
        assertEquals(DeployTools.read(RULES), rules.at("/data/streamq-log-alerts.yaml").asText(), "the ConfigMap carries the repo's file");

        JsonNode loki = one(docs, "StatefulSet", "loki");
        List<String> volumes = new ArrayList<>();
        for (JsonNode v : podSpec(loki).path("volumes")) {
            if (v.at("/configMap/name").asText().equals(rules.at("/metadata/name").asText())) {
                volumes.add(v.path("name").asText());
            }
        }
        assertEquals(1, volumes.size(), "Loki mounts the loki-rules ConfigMap once");
        String volume = volumes.get(0);
        Map<String, String> mounts = new LinkedHashMap<>();
        container(loki, "loki").path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
        assertEquals(directory + "/fake", mounts.get(volume), "rules land in <ruler.storage.local.directory>/<tenant>");
        // The ruler lists tenants as the directories under its directory: a ConfigMap mounted
        // there itself would make "..data" a tenant, and one inside /etc/loki a nested read-only mount.
        assertFalse(mounts.containsValue(directory), "the ConfigMap is mounted one level below the ruler's directory");
        assertFalse(directory.startsWith(mounts.get("config") + "/"), "not nested in the config volume");

        // The ruler writes the rules it evaluates to rule_path: a writable volume (the root filesystem is read-only).
        String rulePath = cfg.at("/ruler/rule_path").asText();
        assertTrue(mounts.entrySet().stream().anyMatch(m -> !m.getKey().equals(volume) && !m.getKey().equals("config")
                && rulePath.startsWith(m.getValue() + "/")), "rule_path " + rulePath + " on a writable mount of " + mounts);
    }

    /**
     * Each rule's selection finds lines streamq really logged, in the drill its annotation names,
     * and not every line there; and every label the rule groups by has a value on those lines.
     */
    @Test
    void everyRuleSelectsRealLinesOfItsDrillAndGroupsByLabelsTheyHave() {
        Map<String, List<LogLine>> logs = fixtures();
        for (Rule rule : rules()) {
            String reproduce = rule.annotation("reproduce");
            String source = reproduce.startsWith("lab drill ") ? reproduce.substring(10) : reproduce.replace(' ', '-');
            List<LogLine> lines = logs.get(source);
            assertTrue(lines != null && !lines.isEmpty(), rule.alert() + ": no fixture logs for " + source);
            Set<String> grouping = grouping(rule.expr());
            Matcher m = RANGE_AGGREGATION.matcher(rule.expr());
            while (m.find()) {
                List<Map<String, String>> selected = new ArrayList<>();
                for (LogLine line : lines) {
                    select(line, m.group(2), m.group(3)).ifPresent(selected::add);
                }
                String selection = rule.alert() + " " + m.group(2) + m.group(3);
                assertFalse(selected.isEmpty(), selection + " selects no line of " + source);
                assertTrue(selected.size() < lines.size(), selection + " selects every line of " + source);
                for (Map<String, String> labels : selected) {
                    for (String label : grouping) {
                        assertFalse(labels.getOrDefault(label, "").isEmpty(), selection + ": by " + label + " is empty on " + labels);
                    }
                }
            }
        }
    }

    /** The guard for the guard: the selection logic tells lines apart as Loki would. */
    @Test
    void theSelectionRejectsWhatLokiWouldReject() {
        LogLine failover = new LogLine("api", "{\"level\":\"WARN\",\"mdc\":{\"event\":\"redis_failover\"}}");
        assertTrue(select(failover, "{namespace=\"streamq\", app=\"streamq\"}", " | event=\"redis_failover\" ").isPresent());
        assertFalse(select(failover, "{namespace=\"streamq\", app=\"streamq\"}", " | event=\"redis_master_lost\" ").isPresent());
        assertFalse(select(failover, "{namespace=\"streamq\", role=\"worker\"}", " | event=\"redis_failover\" ").isPresent());
        assertFalse(select(failover, "{namespace=\"streamq\", level=\"ERROR\"}", "").isPresent());
        LogLine error = new LogLine("worker-1", "{\"level\":\"WARN\",\"mdc\":{\"event\":\"redis_error\",\"kind\":\"noreplicas\"}}");
        String kind = " | event=\"redis_error\" | json mdc_kind=\"mdc.kind\" | mdc_kind=~\"readonly|noreplicas\" ";
        assertEquals("noreplicas", select(error, "{app=\"streamq\"}", kind).orElseThrow().get("mdc_kind"));
        assertFalse(select(error, "{app=\"streamq\"}", kind.replace("mdc.kind", "kind")).isPresent(), "the field is under mdc");
        assertFalse(select(error, "{app=\"streamq\"}", kind.replace("noreplicas\"", "no\"")).isPresent(), "=~ is anchored");
        assertEquals("noreplicas", select(error, "{app=\"streamq\"}", " | json ").orElseThrow().get("mdc_kind"), "| json flattens with _");
        assertTrue(select(error, "{app=\"streamq\"}", " | json | line_format `{{.mdc_kind}}` | mdc_kind=\"noreplicas\" ").isPresent(),
                "line_format selects nothing");
        LogLine sentinel = new LogLine("sentinel-0", "1:X 02 Dec 2026 02:10:59.1 # +switch-master mymaster 127.0.0.1 1 127.0.0.1 2");
        assertTrue(select(sentinel, "{app=\"redis-sentinel\"}", " |~ `\\+sdown|\\+switch-master` ").isPresent());
        assertFalse(select(sentinel, "{app=\"redis-sentinel\"}", " |~ `\\+sdown|-odown` ").isPresent());
        assertFalse(select(sentinel, "{app=\"redis-sentinel\"}", " != \"switch\" ").isPresent());
        assertFalse(select(sentinel, "{app=\"redis\"}", "").isPresent());
    }

    /**
     * A line as Loki would hold it: Alloy's stream labels and structured metadata, then the body.
     * The file name is the process: api, worker-N, all (streamq, role from the name), redis-N and
     * sentinel-N (plain text, app redis and redis-sentinel as their pods' labels say).
     */
    record LogLine(String pod, String text) {
        /** The JSON body; a missing node for Redis' plain text. */
        JsonNode json() {
            if (!text.startsWith("{")) {
                return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            try {
                return DeployTools.JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Stream labels and structured metadata (loki/config.alloy). */
        Map<String, String> labels() {
            JsonNode json = json();
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("namespace", "streamq");
            String process = pod.replaceAll("-\\d+$", "");
            switch (process) {
                case "redis" -> labels.put("app", "redis");
                case "sentinel" -> labels.put("app", "redis-sentinel");
                default -> {
                    labels.put("app", "streamq");
                    labels.put("role", process);
                }
            }
            if (json.has("level")) {
                labels.put("level", json.path("level").asText());
            }
            labels.put("pod", pod);
            for (String field : List.of("event", "queue", "job_id")) {
                JsonNode value = json.at("/mdc/" + field);
                if (value.isTextual()) {
                    labels.put(field, value.asText());
                }
            }
            return labels;
        }
    }

    /** The labels of the line if the selector and the pipeline keep it. */
    static Optional<Map<String, String>> select(LogLine line, String selector, String pipeline) {
        Map<String, String> labels = line.labels();
        for (Map.Entry<String, String[]> matcher : selector(selector).entrySet()) {
            if (!matches(labels.get(matcher.getKey()), matcher.getValue()[0], matcher.getValue()[1])) {
                return Optional.empty();
            }
        }
        for (String stage : stages(pipeline)) {
            Matcher lineFilter = LINE_FILTER.matcher(stage);
            if (lineFilter.matches()) {
                String needle = lineFilter.group(3);
                boolean found = lineFilter.group(1).endsWith("~") ? Pattern.compile(needle).matcher(line.text()).find()
                        : line.text().contains(needle);
                if (found == lineFilter.group(1).startsWith("!")) {
                    return Optional.empty();
                }
            } else if (stage.startsWith("line_format ")) {
                continue; // rewrites the line for display; selects nothing
            } else if (stage.equals("json")) {
                flatten("", line.json(), labels);
            } else if (stage.startsWith("json ")) {
                for (Map.Entry<String, String[]> param : matchers(stage.substring(5)).entrySet()) {
                    JsonNode value = line.json().at("/" + param.getValue()[1].replace('.', '/'));
                    if (!value.isMissingNode() && !value.isContainerNode()) {
                        labels.put(param.getKey(), value.asText());
                    }
                }
            } else {
                Map<String, String[]> filter = matchers(stage);
                if (filter.size() != 1) {
                    fail("stage '" + stage + "' is not one this check understands: extend LokiRulesTest.select");
                }
                Map.Entry<String, String[]> f = filter.entrySet().iterator().next();
                if (!matches(labels.get(f.getKey()), f.getValue()[0], f.getValue()[1])) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(labels);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
        node.fields().forEachRemaining(e -> {
            String name = prefix.isEmpty() ? e.getKey() : prefix + "_" + e.getKey();
            if (e.getValue().isObject()) {
                flatten(name, e.getValue(), into);
            } else {
                into.put(into.containsKey(name) ? name + "_extracted" : name, e.getValue().asText());
            }
        });
    }

    private static boolean matches(String value, String op, String expected) {
        String actual = value == null ? "" : value;
        return switch (op) {
            case "=" -> actual.equals(expected);
            case "!=" -> !actual.equals(expected);
            case "=~" -> actual.matches(expected);
            case "!~" -> !actual.matches(expected);
            default -> fail("operator " + op);
        };
    }

    /** Pipeline stages split on | outside "..." and `...`. */
    private static List<String> stages(String pipeline) {
        List<String> stages = new ArrayList<>();
        StringBuilder stage = new StringBuilder();
        char quote = 0;
        for (char c : pipeline.toCharArray()) {
            if (quote == 0 && (c == '"' || c == '`')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
            if (c == '|' && quote == 0) {
                stages.add(stage.toString().trim());
                stage.setLength(0);
            } else {
                stage.append(c);
            }
        }
        stages.add(stage.toString().trim());
        return stages.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** {@code {a="x", b=~"y"}} as name -> {op, value}. */
    private static Map<String, String[]> selector(String selector) {
        return matchers(selector.substring(1, selector.length() - 1));
    }

    private static Map<String, String[]> matchers(String text) {
        Map<String, String[]> out = new LinkedHashMap<>();
        int consumed = 0;
        for (String part : text.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            Matcher m = MATCHER.matcher(part);
            if (m.matches()) {
                out.put(m.group(1), new String[] {m.group(2), m.group(3)});
                consumed++;
            }
        }
        return consumed == text.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)").length ? out : Map.of();
    }

    /** The labels every {@code by (...)} of the expression keeps (all of them, when there are several). */
    private static Set<String> grouping(String expr) {
        Set<String> labels = new TreeSet<>();
        Matcher m = BY.matcher(expr);
        while (m.find()) {
            for (String label : m.group(1).split(",")) {
                labels.add(label.trim());
            }
        }
        return labels;
    }

    /** The fixture lines by where they come from: a drill's id, or lab-up. */
    static Map<String, List<LogLine>> fixtures() {
        Map<String, List<LogLine>> bySource = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(LOGS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                String pod = file.getFileName().toString().replace(".log", "");
                List<LogLine> lines = bySource.computeIfAbsent(file.getParent().getFileName().toString(), s -> new ArrayList<>());
                Files.readAllLines(file).stream().filter(l -> !l.isBlank()).forEach(l -> lines.add(new LogLine(pod, l)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bySource;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static int count(String text, String regex) {
        return (int) Pattern.compile(regex).matcher(text).results().count();
    }
}

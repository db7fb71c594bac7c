package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.path;
import static dev.streamq.deploy.DeployTools.repo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every PromQL expression the repository ships, with where it is read: the Prometheus recording
 * and alerting rules, the Grafana dashboards' panels and query variables (anywhere under
 * deploy/ and loki/, so a moved file is still found), and the runbooks' {@code promql} blocks
 * (docs/, loki/queries.md, README.md). Loki's LogQL (panels on a Loki datasource, LogQL rules)
 * reads log events, not metrics, and is left out.
 */
final class MetricReaders {

    /** One expression and where it is read, e.g. "deploy/observability/prometheus/rules/streamq-rules.yaml alert DeadLettersGrowing". */
    record Read(String where, String expr) {}

    private static final List<String> TREES = List.of("deploy", "loki");
    private static final List<String> RUNBOOKS = List.of("docs", "loki/queries.md", "README.md");
    private static final Pattern PROMQL_BLOCK = Pattern.compile("(?s)```promql\\n(.*?)```");
    /** Grafana's label_values(metric, label): the last argument is a label, not a metric. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((?:(.+),)?\\s*[a-zA-Z_]\\w*\\s*\\)");

    private MetricReaders() {}

    static List<Read> all() {
        List<Read> reads = new ArrayList<>(rules());
        reads.addAll(dashboards());
        reads.addAll(runbooks());
        return reads;
    }

    /** The names recorded by recording rules: reading one is fine when its rule's own inputs exist. */
    static Set<String> recorded() {
        Set<String> names = new TreeSet<>();
        for (Path file : files(TREES, ".yaml", ".yml")) {
            for (JsonNode rule : rulesOf(file)) {
                if (rule.has("record")) {
                    names.add(rule.path("record").asText());
                }
            }
        }
        return names;
    }

    /** Metric name -> where it is read, for every name in every expression. */
    static Map<String, Set<String>> names() {
        Map<String, Set<String>> byName = new TreeMap<>();
        for (Read read : all()) {
            for (String name : PromQlNames.read(read.expr())) {
                byName.computeIfAbsent(name, n -> new TreeSet<>()).add(read.where());
            }
        }
        return byName;
    }

    static List<Read> rules() {
        List<Read> reads = new ArrayList<>();
        for (Path file : files(TREES, ".yaml", ".yml")) {
            for (JsonNode rule : rulesOf(file)) {
                String expr = rule.path("expr").asText();
                if (!PromQlNames.isLogQl(expr)) {
                    String name = rule.has("alert") ? "alert " + rule.path("alert").asText() : "record " + rule.path("record").asText();
                    reads.add(new Read(relative(file) + " " + name, expr));
                }
            }
        }
        return reads;
    }

    static List<Read> dashboards() {
        List<Read> reads = new ArrayList<>();
        for (Path file : files(TREES, ".json")) {
            JsonNode dash = json(file);
            if (!dash.has("panels")) {
                continue;
            }
            panels(dash.path("panels"), relative(file), reads);
            for (JsonNode variable : dash.at("/templating/list")) {
                if ("query".equals(variable.path("type").asText()) && isPrometheus(variable.path("datasource"), null)) {
                    JsonNode query = variable.path("query");
                    String text = query.isObject() ? query.path("query").asText() : query.asText();
                    Matcher lv = LABEL_VALUES.matcher(text);
                    String expr = lv.matches() ? (lv.group(1) == null ? "" : lv.group(1)) : text;
                    reads.add(new Read(relative(file) + " variable $" + variable.path("name").asText(), expr));
                }
            }
        }
        return reads;
    }

    static List<Read> runbooks() {
        List<Read> reads = new ArrayList<>();
        for (Path file : files(RUNBOOKS, ".md")) {
            Matcher block = PROMQL_BLOCK.matcher(read(file));
            while (block.find()) {
                for (String line : block.group(1).split("\n")) {
                    if (!line.isBlank()) {
                        reads.add(new Read(relative(file) + " runbook", line));
                    }
                }
            }
        }
        return reads;
    }

    /** Panels, and the panels of collapsed rows, on a Prometheus datasource (the target's, else the panel's). */
    private static void panels(JsonNode panels, String file, List<Read> reads) {
        for (JsonNode panel : panels) {
            panels(panel.path("panels"), file, reads);
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (!expr.isBlank() && isPrometheus(target.path("datasource"), panel.path("datasource"))) {
                    reads.add(new Read(file + " panel '" + panel.path("title").asText() + "'", expr));
                }
            }
        }
    }

    private static boolean isPrometheus(JsonNode datasource, JsonNode fallback) {
        String type = datasource.path("type").asText(fallback == null ? "" : fallback.path("type").asText());
        return "prometheus".equals(type);
    }

    /** The rules of a Prometheus (or Loki ruler) rules file; none for any other YAML. */
    private static List<JsonNode> rulesOf(Path file) {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode doc : DeployTools.parseYamlDocs(read(file))) {
            for (JsonNode group : doc.path("groups")) {
                group.path("rules").forEach(rule -> {
                    if (rule.has("expr")) {
                        rules.add(rule);
                    }
                });
            }
        }
        return rules;
    }

    private static List<Path> files(List<String> roots, String... suffixes) {
        List<Path> found = new ArrayList<>();
        for (String root : roots) {
            Path start = path(root);
            if (!Files.exists(start)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(start)) {
                walk.filter(Files::isRegularFile)
                        .filter(f -> Stream.of(suffixes).anyMatch(f.toString()::endsWith))
                        // promtool's unit tests hold input series and expectations, not queries the deployment runs
                        .filter(f -> !f.toString().endsWith(".test.yaml"))
                        .sorted().forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(Path file) {
        try {
            return DeployTools.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String relative(Path file) {
        return repo().relativize(file).toString();
    }
}

package dev.streamq.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.streamq.lab.drill.DrillResult;
import dev.streamq.log.Event;
import dev.streamq.log.LogField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs, the LogQL cookbook, the dashboards, the rules and the lab name only events and
 * fields the app logs ({@link Event}, {@link LogField}), each query a field only of an event
 * that carries it; and every event the app logs is documented. How names are found:
 * {@link LogNames}.
 */
class EventVocabularyTest {

    /** Where queries and runbooks live; the lab's Java reads the logs the drills judge. */
    private static final List<String> SCANNED = List.of("loki", "deploy/observability", "docs", "README.md", "src/lab/java");
    /** Loki stream labels (loki/config.alloy, enforced by AlloyLabelsTest). */
    private static final Set<String> STREAM_LABELS = Set.of("app", "role", "namespace", "level");
    /** Alloy's structured metadata: the event fields it lifts out of "mdc", and the pod's names. */
    private static final Set<String> STRUCTURED_METADATA = Set.of("event", "queue", "job_id", "pod", "container");
    /** Top-level keys of a Quarkus JSON log line that application.properties does not exclude. */
    private static final Set<String> JSON_KEYS = Set.of("timestamp", "loggerName", "level", "message", "threadName",
            "hostName");

    private static final Set<String> EVENTS = Arrays.stream(Event.values()).map(Event::key).collect(Collectors.toSet());
    private static final Set<String> FIELDS = Arrays.stream(LogField.values()).map(LogField::key).collect(Collectors.toSet());

    @Test
    void docsQueriesAndTheLabNameOnlyWhatTheAppLogs() {
        Set<String> reportKeys = drillReportKeys();
        List<String> wrong = new ArrayList<>();
        for (LogNames.Line line : scannedLines()) {
            line.events().stream().filter(e -> !EVENTS.contains(e))
                    .forEach(e -> wrong.add(line.where() + ": event " + e + " is not logged"));
            line.patterns().stream().filter(p -> EVENTS.stream().noneMatch(e -> e.matches(p)))
                    .forEach(p -> wrong.add(line.where() + ": event pattern " + p + " matches no event"));
            line.appFields().stream().filter(f -> !FIELDS.contains(f))
                    .forEach(f -> wrong.add(line.where() + ": field mdc_" + f + " is not in a log line"));
            line.queryFields().stream()
                    .filter(f -> !STREAM_LABELS.contains(f) && !STRUCTURED_METADATA.contains(f) && !JSON_KEYS.contains(f))
                    .forEach(f -> wrong.add(line.where() + ": field " + f + " is not in a log line"
                            + (FIELDS.contains(f) ? " (after | json it is mdc_" + f + ")" : "")));
            line.prose().stream().filter(w -> !EVENTS.contains(w) && !FIELDS.contains(w) && !reportKeys.contains(w))
                    .forEach(w -> wrong.add(line.where() + ": " + w + " is neither an event, a field nor a drill report key"));
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void aQueryReadsAFieldOnlyOfEventsThatCarryIt() {
        List<String> wrong = new ArrayList<>();
        for (LogNames.Line line : scannedLines()) {
            Set<Event> selected = selected(line);
            if (selected.isEmpty()) {
                continue;
            }
            for (String field : union(line.appFields(), line.queryFields())) {
                LogField.ofKey(field).filter(f -> f != LogField.EVENT)
                        .filter(f -> selected.stream().noneMatch(e -> e.carries(f)))
                        .ifPresent(f -> wrong.add(line.where() + ": none of " + selected + " carries " + f.key()));
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyEventIsInTheRunbookOrTheCookbook() {
        Set<String> documented = new TreeSet<>();
        for (String doc : List.of("docs/operations.md", "loki/queries.md")) {
            for (LogNames.Line line : LogNames.read(doc, DeployTools.read(doc))) {
                documented.addAll(line.events());
                documented.addAll(line.prose());
                EVENTS.stream().filter(e -> line.patterns().stream().anyMatch(e::matches)).forEach(documented::add);
            }
        }
        Set<String> missing = new TreeSet<>(EVENTS);
        missing.removeAll(documented);
        assertEquals(Set.of(), missing, "events neither docs/operations.md nor loki/queries.md mention");
    }

    /** A line an operator can see (INFO and up) is an event: written through EventLog, never a bare logger call. */
    @Test
    void theAppLogsAtInfoAndAboveOnlyThroughTheVocabulary() {
        List<String> bare = new ArrayList<>();
        Path main = DeployTools.repo().resolve("src/main/java");
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).matches(".*\\bLOG\\.(info|warn|error|fatal)\\w*\\(.*")) {
                        bare.add(main.relativize(file) + ":" + (i + 1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(List.of(), bare);
    }

    /**
     * A constant no code writes would let a doc name an event the app never logs (job_failed
     * was named for months that way): each one is written by some class outside dev.streamq.log.
     */
    @Test
    void everyEventIsWrittenByTheApp() {
        Path main = DeployTools.repo().resolve("src/main/java/dev/streamq");
        StringBuilder code = new StringBuilder();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(main.resolve("log"))).toList()) {
                code.append(Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> unwritten = Arrays.stream(Event.values()).map(Event::name)
                .filter(name -> !code.toString().matches("(?s).*\\bEvent\\." + name + "\\b.*"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), unwritten, "constants no class outside dev.streamq.log logs");
    }

    @Test
    void theScanSeesTheCookbookTheDashboardTheLokiRulesAndTheLab() {
        List<LogNames.Line> lines = scannedLines();
        assertTrue(lines.stream().anyMatch(l -> l.where().startsWith("loki/queries.md") && l.events().contains("job_failed")));
        assertTrue(lines.stream().anyMatch(l -> l.where().startsWith("loki/dashboards/") && !l.patterns().isEmpty()));
        assertTrue(lines.stream().anyMatch(l -> l.where().startsWith(LokiRulesTest.RULES) && l.events().contains("job_dead_lettered")
                && l.appFields().contains("reason")), "the Loki ruler's rules");
        assertTrue(lines.stream().anyMatch(l -> l.where().startsWith("src/lab/java/") && !l.prose().isEmpty()));
    }

    /** The events a line's matchers select; none when it has no matcher. */
    private static Set<Event> selected(LogNames.Line line) {
        return Arrays.stream(Event.values())
                .filter(e -> line.events().contains(e.key()) || line.patterns().stream().anyMatch(e.key()::matches))
                .collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static List<LogNames.Line> scannedLines() {
        Path repo = DeployTools.repo();
        List<LogNames.Line> lines = new ArrayList<>();
        for (String root : SCANNED) {
            try (Stream<Path> files = Files.walk(repo.resolve(root))) {
                for (Path file : files.filter(Files::isRegularFile).filter(EventVocabularyTest::isText).sorted().toList()) {
                    String relative = repo.relativize(file).toString();
                    lines.addAll(LogNames.read(relative, Files.readString(file)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }

    private static boolean isText(Path file) {
        String name = file.getFileName().toString();
        return Stream.of(".md", ".yaml", ".yml", ".json", ".alloy", ".java").anyMatch(name::endsWith);
    }

    /** The keys of the drill report (DrillResult's JSON properties), which docs/drills.md explains. */
    /** Drill report keys, and the one Prometheus config key the lab renders that reads like an event (job_name). */
    private static Set<String> drillReportKeys() {
        Set<String> keys = new TreeSet<>(Set.of("job_name"));
        collectKeys(DrillResult.class, keys);
        return keys;
    }

    private static void collectKeys(Class<?> type, Set<String> keys) {
        List<AnnotatedElement> elements = new ArrayList<>(Arrays.asList(type.getDeclaredFields()));
        if (type.isRecord()) {
            Arrays.stream(type.getRecordComponents()).map(RecordComponent::getAccessor).forEach(elements::add);
            Arrays.stream(type.getRecordComponents()).forEach(elements::add);
        }
        for (AnnotatedElement element : elements) {
            JsonProperty property = element.getAnnotation(JsonProperty.class);
            if (property != null) {
                keys.add(property.value());
            }
        }
        Arrays.stream(type.getDeclaredClasses()).forEach(nested -> collectKeys(nested, keys));
    }
}

package dev.streamq.deploy;

import dev.streamq.log.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The log event and field names a text names, found by how this repository writes them. Each
 * rule reads one line at a time (a LogQL query is one line in the cookbook, a dashboard's
 * "expr" one JSON string, a rule's expr one YAML line), so a name is tied to the query that
 * uses it:
 * <ol>
 *   <li><b>Event matchers</b>: {@code event} or {@code mdc_event}, an operator ({@code = != =~ !~})
 *       and a quoted value ({@code "..."}, {@code \"...\"} in JSON, or {@code `...`}), after
 *       {@code |}, {@code {}, {@code ,}, {@code or} or {@code and} on the same line (that leaves
 *       out Alloy's {@code event = "mdc.event"}, an assignment on a line of its own). An
 *       {@code =~} value is split on {@code |}: a plain name is an event name, anything else is
 *       a pattern, kept as {@link Line#patterns()} to match against the vocabulary (LogQL
 *       anchors it).</li>
 *   <li><b>Fields</b>: {@code mdc_NAME} anywhere, an app field ({@code | json} names the app's
 *       fields so), kept as {@link Line#appFields()}; {@code {{.NAME}}} in a line_format template
 *       and the name of a label filter {@code | name op} (a name starts lower-case, as every label
 *       and field here does: {@code <P|F>} in a comment is no filter), kept as {@link Line#queryFields()}
 *       (a stream label, structured metadata or a top-level JSON key).</li>
 *   <li><b>Prose</b> (Markdown and Java): a token that starts with the first word of some
 *       event ({@code job_*}, {@code redis_*}, {@code worker_*}, {@code queue_*},
 *       {@code batch_*}, {@code api_*}), which is how this project names events: in Markdown
 *       only backticked whole ({@code `job_failed`}); in Java any such
 *       word (a string literal or a comment). Such a token is an event or a field unless the
 *       caller knows it as something else (a drill report key).</li>
 * </ol>
 * What is not found: an event named only inside a free-form line filter ({@code |~ "job_.*"})
 * or built at run time from pieces.
 */
final class LogNames {

    private static final Pattern MATCHER = Pattern.compile(
            "(?:\\||\\{|,|\\bor\\b|\\band\\b)[ \\t]*(?:mdc_)?event[ \\t]*(=~|!~|!=|=)[ \\t]*(\\\\?\"|`)(.*?)\\2");
    private static final Pattern MDC_FIELD = Pattern.compile("\\bmdc_([a-z_]+)");
    private static final Pattern TEMPLATE_FIELD = Pattern.compile("\\{\\{\\s*\\.([A-Za-z_]+)\\s*}}");
    private static final Pattern FILTER_FIELD = Pattern.compile("\\|[ \\t]*([a-z_][A-Za-z_]*)[ \\t]*(?:=~|!~|!=|==|=|>=|<=|>|<)");
    /** A word that starts as some event does ({@code job_}, {@code redis_}, {@code api_}...): how events are named. */
    private static final String EVENT_WORD = Arrays.stream(Event.values()).map(e -> e.key().substring(0, e.key().indexOf('_')))
            .distinct().sorted().collect(Collectors.joining("|", "(?:", ")_[a-z_]+"));
    private static final Pattern BACKTICKED = Pattern.compile("`(" + EVENT_WORD + ")`");
    private static final Pattern WORD = Pattern.compile("\\b(" + EVENT_WORD + ")\\b");

    /**
     * What one line names.
     *
     * @param events plain event names in matchers
     * @param patterns regex alternatives in {@code =~} matchers
     * @param appFields the app's fields, {@code mdc_x} as {@code x}
     * @param queryFields template and label filter names other than {@code mdc_*}, as written
     * @param prose event-like words outside matchers
     */
    record Line(String where, String text, Set<String> events, Set<String> patterns, Set<String> appFields,
            Set<String> queryFields, Set<String> prose) {
    }

    private LogNames() {
    }

    /** Every line of {@code text} that names something, {@code where} = file:line. */
    static List<Line> read(String file, String text) {
        boolean markdown = file.endsWith(".md");
        boolean java = file.endsWith(".java");
        List<Line> lines = new ArrayList<>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            Line line = line(file + ":" + (i + 1), all[i], markdown, java);
            if (!line.events().isEmpty() || !line.patterns().isEmpty() || !line.appFields().isEmpty()
                    || !line.queryFields().isEmpty() || !line.prose().isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    static Line line(String where, String text, boolean markdown, boolean java) {
        Set<String> events = new LinkedHashSet<>();
        Set<String> patterns = new LinkedHashSet<>();
        Matcher m = MATCHER.matcher(text);
        while (m.find()) {
            String value = m.group(3);
            if (m.group(1).endsWith("~")) {
                for (String alternative : value.split("\\|")) {
                    (alternative.matches("[a-z_]+") ? events : patterns).add(alternative);
                }
            } else {
                events.add(value);
            }
        }
        Set<String> appFields = new LinkedHashSet<>();
        collect(MDC_FIELD, text, appFields);
        Set<String> queryFields = new LinkedHashSet<>();
        if (!java) {
            collect(TEMPLATE_FIELD, text, queryFields);
            collect(FILTER_FIELD, text, queryFields);
            queryFields.removeIf(f -> f.startsWith("mdc_")); // app fields, read by MDC_FIELD
        }
        Set<String> prose = new LinkedHashSet<>();
        if (markdown) {
            collect(BACKTICKED, text, prose);
        } else if (java) {
            collect(WORD, text, prose);
        }
        prose.removeAll(events);
        return new Line(where, text, events, patterns, appFields, queryFields, prose);
    }

    private static void collect(Pattern pattern, String text, Set<String> into) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}

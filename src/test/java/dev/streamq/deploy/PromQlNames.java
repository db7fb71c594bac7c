package dev.streamq.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found by a small tokenizer, not a parser: the
 * installed promtool (2.42) has no command that lists an expression's selectors (it checks,
 * tests, queries a running server and reads a TSDB; the experimental {@code promtool promql} of
 * later releases formats and edits expressions, and lists none either), and Prometheus' Go
 * parser is not reachable from Java.
 *
 * <p>How: blank out everything that is not a name's position (string literals, comments, Grafana
 * variables, label matchers {@code {...}}, ranges and subqueries {@code [...]}, the label lists
 * of {@code by / without / on / ignoring / group_left / group_right}), then every identifier
 * that is neither a keyword nor followed by {@code (} (a function or an aggregation) is a
 * metric name; numbers and durations ({@code 0.99}, {@code 5m}) are skipped as tokens of their
 * own. Recording-rule names ({@code level:metric:op}) come out like any other name; the caller
 * tells them apart. Not seen: a name given only as a {@code __name__} matcher (none in this
 * repository). PromQlNamesTest pins each rule.
 */
final class PromQlNames {

    private static final Set<String> KEYWORDS = Set.of(
            "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
            "inf", "nan", "atan2");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern COMMENT = Pattern.compile("#[^\\n]*");
    /** Grafana's $namespace, ${queue}, $__rate_interval, [[var]]. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[\\w+]]");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "(?<![\\w:])(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    private static final Pattern BARE_SELECTOR = Pattern.compile("(^|[^\\w:\\s])\\s*\\{");
    private static final Pattern TOKEN = Pattern.compile("(\\d[\\w.]*)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    private PromQlNames() {}

    static Set<String> read(String expr) {
        String s = STRING.matcher(expr).replaceAll(" \"\" ");
        s = COMMENT.matcher(s).replaceAll(" ");
        s = VARIABLE.matcher(s).replaceAll(" 0 ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGE.matcher(s).replaceAll(" ");
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) {
            String identifier = m.group(2);
            boolean call = m.group(3) != null;
            if (identifier != null && !call && !KEYWORDS.contains(identifier)) {
                names.add(identifier);
            }
        }
        return names;
    }

    /** A recording rule's output ({@code level:metric:operation}); raw metrics carry no colon. */
    static boolean isRecorded(String name) {
        return name.contains(":");
    }

    /**
     * True for a LogQL expression (a Loki ruler rule shares the rules' file format): it selects
     * log streams with a bare {@code {...}}, one no metric name precedes. No PromQL here does.
     */
    static boolean isLogQl(String expr) {
        return BARE_SELECTOR.matcher(STRING.matcher(expr).replaceAll("\"\"")).find();
    }
}

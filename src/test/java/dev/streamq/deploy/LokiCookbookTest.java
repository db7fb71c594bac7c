package dev.streamq.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * loki/queries.md says, before its queries, which drill's logs have lines for them
 * ("Data: `lab drill master-kill`"); each such query's selection must find lines in that
 * drill's real logs (LokiRulesTest's fixtures and selection logic). A query under no "Data:"
 * paragraph of its section (a job id to fill in, an incident no drill causes) is not checked.
 */
class LokiCookbookTest {

    private static final String COOKBOOK = "loki/queries.md";
    private static final Pattern SOURCE = Pattern.compile("`lab (drill ([a-z-]+)|up)`");
    private static final Pattern LOG_QUERY = Pattern.compile("(\\{[^{}]*})(.*)");

    /** A query and the fixture sources its "Data:" paragraph names. */
    record Query(String where, String text, Set<String> sources) {}

    private static List<Query> queries() {
        String[] lines = DeployTools.read(COOKBOOK).split("\n", -1);
        List<Query> queries = new ArrayList<>();
        Set<String> sources = Set.of();
        StringBuilder paragraph = new StringBuilder();
        boolean inBlock = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("```")) {
                inBlock = !inBlock && line.equals("```logql");
                paragraph.setLength(0);
            } else if (inBlock) {
                if (!line.isBlank()) {
                    queries.add(new Query(COOKBOOK + ":" + (i + 1), line, sources));
                }
            } else if (line.startsWith("## ")) {
                sources = Set.of();
            } else if (line.isBlank()) {
                if (paragraph.indexOf("Data:") >= 0) {
                    sources = sourcesOf(paragraph.substring(paragraph.indexOf("Data:")));
                }
                paragraph.setLength(0);
            } else {
                paragraph.append(line).append(' ');
            }
        }
        return queries;
    }

    private static Set<String> sourcesOf(String text) {
        Set<String> sources = new LinkedHashSet<>();
        Matcher m = SOURCE.matcher(text);
        while (m.find()) {
            sources.add(m.group(2) != null ? m.group(2) : "lab-up");
        }
        return sources;
    }

    @Test
    void everyQueryFindsLinesInTheDrillItNames() {
        Map<String, List<LokiRulesTest.LogLine>> logs = LokiRulesTest.fixtures();
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Query query : queries()) {
            if (query.sources().isEmpty()) {
                continue;
            }
            // Grafana fills $__auto with a duration; the range does not change what is selected.
            String text = query.text().replaceAll("\\[\\$__\\w+]", "[5m]");
            Matcher range = LokiRulesTest.RANGE_AGGREGATION.matcher(text);
            Matcher log = LOG_QUERY.matcher(text);
            String selector;
            String pipeline;
            if (range.find()) {
                selector = range.group(2);
                pipeline = range.group(3);
            } else if (log.matches()) {
                selector = log.group(1);
                pipeline = log.group(2);
            } else {
                wrong.add(query.where() + ": not a LogQL query this check reads: " + query.text());
                continue;
            }
            for (String source : query.sources()) {
                List<LokiRulesTest.LogLine> lines = logs.get(source);
                if (lines == null) {
                    wrong.add(query.where() + ": names " + source + ", which has no fixture logs");
                } else if (lines.stream().noneMatch(l -> LokiRulesTest.select(l, selector, pipeline).isPresent())) {
                    wrong.add(query.where() + ": no line of " + source + " for " + query.text());
                }
            }
            checked++;
        }
        assertEquals(List.of(), wrong);
        assertTrue(checked >= 13, "only " + checked + " queries under a Data: paragraph");
    }
}

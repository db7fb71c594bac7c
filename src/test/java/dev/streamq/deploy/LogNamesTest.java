package dev.streamq.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The guard for the guard: LogNames finds the names the way this repository writes them, and nothing else. */
class LogNamesTest {

    private static LogNames.Line query(String text) {
        return LogNames.line("q", text, false, false);
    }

    @Test
    void matchersInEveryQuotingAreEventsAndRegexAlternativesArePatterns() {
        assertEquals(Set.of("job_failed"), query("{app=\"streamq\"} | event=\"job_failed\"").events());
        assertEquals(Set.of("job_failed"), query("{app=\"streamq\"} | event = `job_failed`").events());
        assertEquals(Set.of("redis_failover"),
                query("\"expr\": \"{namespace=\\\"$namespace\\\"} | event=\\\"redis_failover\\\"\"").events(), "JSON-escaped");
        LogNames.Line regex = query("{app=\"streamq\"} | event=~\"redis_.*|job_reclaimed\" or level=\"ERROR\"");
        assertEquals(Set.of("job_reclaimed"), regex.events());
        assertEquals(Set.of("redis_.*"), regex.patterns());
        assertEquals(Set.of("job_x"), query("{app=\"streamq\"} | json | mdc_event!=\"job_x\"").events());
    }

    @Test
    void alloyAssignmentsAndLineFiltersAreNotMatchers() {
        assertEquals(Set.of(), query("      event    = \"mdc.event\",").events());
        assertEquals(Set.of(), query("      event     = \"\",").events());
        assertEquals(Set.of(), query("{app=\"streamq\"} |~ `job_gone|READONLY`").events());
    }

    @Test
    void appFieldsAreMdcNamesAndQueryFieldsTheRest() {
        LogNames.Line line = query("{app=\"streamq\"} | event=\"job_dead_lettered\" | json | mdc_reason=\"poison\""
                + " | line_format `{{.queue}} {{ .mdc_attempt }} {{.error}}`");
        assertEquals(Set.of("reason", "attempt"), line.appFields());
        assertEquals(Set.of("event", "queue", "error"), line.queryFields());
        assertEquals(Set.of(), query("  // Strip the runtime's \"<time> <stream> <P|F> \" prefix").queryFields(),
                "an upper-case word after a pipe is no label filter");
    }

    @Test
    void proseNamesAreBacktickedInMarkdownAndWordsInJava() {
        assertEquals(Set.of("job_failed"),
                LogNames.line("d.md", "logs `job_failed`, then `streamq_job_failed_total` and job_prose", true, false).prose());
        assertEquals(Set.of("job_started", "job_retries"), LogNames.line("R.java",
                "row(md, \"job_retries (extra job_started per id)\", peak_rss_worker_kb, jobRetries);", false, true).prose());
    }
}

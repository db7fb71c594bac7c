package dev.streamq.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The guard for the guard: the tokenizer finds every metric name and nothing that is not one. */
class PromQlNamesTest {

    @Test
    void aMisspelledNameIsFoundAndLabelValuesAreNotNames() {
        assertEquals(Set.of("streamq_job_enqueued_total"),
                PromQlNames.read("sum(rate(streamq_job_enqueued_total{queue=~\"streamq_x\"}[5m]))"));
        assertEquals(Set.of("foo_bar"), PromQlNames.read("foo_bar{a=\"b\"}"));
        assertEquals(Set.of("up"), PromQlNames.read("up"));
    }

    @Test
    void functionsAggregationsKeywordsNumbersAndDurationsAreNotNames() {
        assertEquals(Set.of("a_total", "b_total"), PromQlNames.read(
                "sum by (queue, reason) (increase(a_total[15m] offset 1h)) > bool 0.5 and on (pod) group_left (role) b_total"));
        assertEquals(Set.of("x_seconds_bucket"), PromQlNames.read(
                "histogram_quantile(0.99, sum without (pod) (rate(x_seconds_bucket[5m:30s])))"));
        assertEquals(Set.of("m"), PromQlNames.read("max(m) by (queue) unless ignoring (a) m or topk(5, m) * 1e3"));
        assertEquals(Set.of("up"), PromQlNames.read("sum(up{job=\"streamq\", role=\"worker\"}) == 0\nor\nabsent(up{job=\"streamq\"})"));
        assertEquals(Set.of("g"), PromQlNames.read("deriv(g[10m]) > 0 # a comment naming not_a_metric"));
        assertEquals(Set.of("lag"), PromQlNames.read("label_replace(lag, \"dst\", \"$1\", \"src\", \"(.*)\")"));
    }

    @Test
    void grafanaVariablesAreNotNames() {
        assertEquals(Set.of("streamq_jobs_enqueued_total"), PromQlNames.read(
                "sum(rate(streamq_jobs_enqueued_total{namespace=\"$namespace\",queue=~\"$queue\"}[$__rate_interval])) / $scale"));
        assertEquals(Set.of("h_bucket"), PromQlNames.read("rate(h_bucket[${__range}])"));
    }

    @Test
    void recordingRuleNamesAreNamesThatAreRecorded() {
        assertEquals(Set.of("queue:streamq_queue_lag:max"),
                PromQlNames.read("queue:streamq_queue_lag:max > 100 and deriv(queue:streamq_queue_lag:max[10m]) > 0"));
        assertTrue(PromQlNames.isRecorded("kind:streamq_redis_errors:rate5m"));
        assertFalse(PromQlNames.isRecorded("streamq_redis_errors_total"));
    }

    @Test
    void logQlIsToldFromPromQl() {
        assertTrue(PromQlNames.isLogQl("sum by (queue) (count_over_time({app=\"streamq\"} | json | event=\"job_dead_lettered\" [5m])) > 0"));
        assertTrue(PromQlNames.isLogQl("{namespace=\"$namespace\", app=\"streamq\"} | event=~\"redis_.*\""));
        assertFalse(PromQlNames.isLogQl("sum by (queue) (increase(streamq_jobs_duplicates_total{a=\"{b}\"}[10m])) > 0"));
        assertFalse(PromQlNames.isLogQl("absent(up {job=\"streamq\"})"));
    }

    @Test
    void everyShippedExpressionIsFoundAndReadsSomething() {
        var reads = MetricReaders.all();
        assertTrue(reads.stream().anyMatch(r -> r.where().contains("alert DeadLettersGrowing")), "rules are read");
        assertTrue(reads.stream().anyMatch(r -> r.where().contains("panel 'API p99 latency by uri'")), "panels are read");
        assertTrue(reads.stream().anyMatch(r -> r.where().contains("variable $queue")), "dashboard variables are read");
        assertTrue(reads.stream().anyMatch(r -> r.where().contains("runbook")), "runbooks are read");
        for (var read : reads) {
            if (!read.where().contains("variable")) {
                assertFalse(PromQlNames.read(read.expr()).isEmpty(), read.where() + " reads no metric: " + read.expr());
            }
        }
        assertEquals(Set.of("streamq_jobs_enqueued_total"), PromQlNames.read(
                reads.stream().filter(r -> r.where().contains("variable $queue")).findFirst().orElseThrow().expr()),
                "label_values(metric, label): the label is no metric");
    }
}

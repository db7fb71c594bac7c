package dev.streamq.lab.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.ServiceLog;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The report's retry and backoff arithmetic on hand-made worker log lines (no processes). */
class DrillRetriesTest {

    private static void line(GroundTruth truth, String time, String event, String id, int attempt, String error,
            String message) {
        line(truth, time, event, id, attempt, error, null, message);
    }

    private static void line(GroundTruth truth, String time, String event, String id, int attempt, String error,
            String reason, String message) {
        String mdc = "{\"event\":\"" + event + "\",\"queue\":\"drill\",\"job_id\":\"" + id + "\""
                + (attempt > 0 ? ",\"attempt\":\"" + attempt + "\"" : "")
                + (error != null ? ",\"error\":\"" + error + "\"" : "")
                + (reason != null ? ",\"reason\":\"" + reason + "\"" : "") + "}";
        truth.accept(ServiceLog.parse("{\"timestamp\":\"2026-01-01T00:00:" + time + "Z\",\"message\":\"" + message
                + "\",\"mdc\":" + mdc + "}"));
    }

    @Test
    void countsReasonsAndMeasuresGaps() {
        GroundTruth t = new GroundTruth();
        // job a: fails twice, 150 ms then 3 s apart (the second at t=1.2 s, inside a fault window from t=2 s)
        line(t, "01.000", "job_started", "a", 1, null, "job started: fail");
        line(t, "01.001", "job_retry_scheduled", "a", 1, "planned failure 1 of 2", "attempt failed; retry in 120 ms");
        line(t, "01.150", "job_started", "a", 2, null, "job started: fail");
        line(t, "01.151", "job_retry_scheduled", "a", 2, "planned failure 2 of 2", "attempt failed; retry in 300 ms");
        line(t, "04.150", "job_started", "a", 3, null, "job started: fail");
        line(t, "04.151", "job_succeeded", "a", 3, null, "job succeeded in 0 ms");
        // job b: 1.5 s after attempt 1, before the fault window: over 200 + 500 ms
        line(t, "00.000", "job_started", "b", 1, null, "job started: fail");
        line(t, "00.001", "job_retry_scheduled", "b", 1, "planned failure 1 of 2", "attempt failed; retry in 150 ms");
        line(t, "01.500", "job_started", "b", 2, null, "job started: fail");
        line(t, "01.600", "job_reclaimed", "c", 0, null, "took over entry 1-0 pending longer than 5 s");
        line(t, "01.650", "job_failed", "d", 5, "planned failure 5 of 9", "attempt 5 of 5 failed");
        // the reason is read from its field: the messages name another one, or none
        line(t, "01.700", "job_dead_lettered", "d", 5, "planned failure 5 of 9", "max_attempts", "job dead-lettered: poison");
        line(t, "01.800", "job_dead_lettered", "e", 0, null, "poison", "job dead-lettered");
        line(t, "01.900", "job_released", "f", 0, null, "handed back to the queue at shutdown");

        assertEquals(Map.of("retry_scheduled", 3, "reclaimed", 1, "dead_lettered:max_attempts", 1,
                "dead_lettered:poison", 1, "released", 1), t.byReason);
        assertEquals(Map.of("planned failure # of #", 3), t.retryErrors);

        long base = java.time.Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        DrillResult.Backoff b = BackoffCheck.measure(t, base + 2000, base + 3000);
        assertEquals(3, b.gaps);
        assertEquals(2, b.retriedJobs);
        DrillResult.AttemptSpacing first = b.byAttempt.get(0);
        assertEquals(1, first.attempt);
        assertEquals(200, first.ceilingMs);
        assertEquals(2, first.gaps);
        assertEquals(150, first.minMs);
        assertEquals(1500, first.maxMs);
        assertEquals(1, first.withinCeiling);
        assertEquals(1, first.overLimit);
        DrillResult.AttemptSpacing second = b.byAttempt.get(1);
        assertEquals(400, second.ceilingMs);
        assertEquals(3000, second.maxMs);
        assertEquals(1, second.delayedByOutage);
        assertEquals(1, b.overLimit);
        assertEquals(1, b.delayedByOutage);
        assertEquals("b", b.worstGaps.get(0).jobId);
        assertFalse(b.worstGaps.get(0).inFaultWindow);
        assertTrue(b.worstGaps.get(1).inFaultWindow);

        // a soak: a later kill at t=1.0 s opens a window as long as the first (1 s), which covers job b's gap
        DrillResult.Backoff soak = BackoffCheck.measure(t, Long.MIN_VALUE, base + 2000, base + 3000, List.of(base + 1000));
        assertEquals(0, soak.overLimit, "b's gap overlaps the later kill's window");
        assertEquals(2, soak.delayedByOutage);

        // gaps that begin before the measured window (the load's warm-up) are counted, not judged
        DrillResult.Backoff warm = BackoffCheck.measure(t, base + 500, base + 2000, base + 3000, List.of());
        assertEquals(1, warm.warmUpGaps, "b's gap begins at t=0, in the warm-up");
        assertEquals(2, warm.gaps);
        assertEquals(0, warm.overLimit);
    }

    @Test
    void ceilingsAndFailShare() {
        assertEquals(200, BackoffCheck.ceilingMs(1));
        assertEquals(400, BackoffCheck.ceilingMs(2));
        assertEquals(1600, BackoffCheck.ceilingMs(4));
        assertEquals(2000, BackoffCheck.ceilingMs(5));
        int fails = 0;
        for (long n = 0; n < 10_000; n++) {
            if (DrillLoad.isFailJob(42, n, 0.05)) {
                fails++;
            }
            assertEquals(DrillLoad.isFailJob(42, n, 0.05), DrillLoad.isFailJob(42, n, 0.05));
        }
        assertTrue(fails > 400 && fails < 600, "about 5 %: " + fails);
    }

    @Test
    void labelValues() {
        Map<String, Double> totals = new TreeMap<>();
        totals.put("{operation=\"enqueue\"}", 461.0);
        totals.put("{operation=\"start\"}", 10.0);
        totals.put("{operation=\"fail\"}", 0.0);
        totals.put("{a=\"x\",operation=\"y\"}", 2.0);
        assertEquals(Map.of("enqueue", 461L, "start", 10L, "{a=\"x\",operation=\"y\"}", 2L), DrillMetrics.byLabel(totals, "operation"));
    }
}

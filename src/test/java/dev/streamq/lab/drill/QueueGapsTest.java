package dev.streamq.lab.drill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.ServiceLog;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cluster drills' per-queue judgement on hand-made figures (no processes). */
class QueueGapsTest {

    @Test
    void theLongestGapCountsTheBoundsSoAQueueThatStopsForGoodShowsAGapToTheEnd() {
        assertArrayEquals(new long[] {600, 1400}, QueueGaps.longestGap(List.of(1200L, 1400L, 2000L), 1000, 2500));
        // nothing after 1200: the gap runs to the load's stop
        assertArrayEquals(new long[] {8800, 1200}, QueueGaps.longestGap(List.of(1100L, 1200L), 1000, 10_000));
        // times outside the window (warm-up, after the stop) do not shorten or lengthen a gap
        assertArrayEquals(new long[] {1000, 1000}, QueueGaps.longestGap(List.of(500L, 2000L, 3000L, 9000L), 1000, 3000));
        assertArrayEquals(new long[] {2000, 1000}, QueueGaps.longestGap(List.of(), 1000, 3000));
    }

    private static DrillResult.QueueGap queue(String name, boolean faulted, long ackGap, long doneGap, int completedAfter) {
        DrillResult.QueueGap q = new DrillResult.QueueGap();
        q.queue = name;
        q.shard = faulted ? "shard-0" : "shard-1";
        q.shardFaulted = faulted;
        q.longestAckGapMs = ackGap;
        q.longestOutcomeGapMs = doneGap;
        q.completedAfterFault = completedAfter;
        return q;
    }

    @Test
    void aStallOnAShardThatDidNotFailBreaksMasterKillButNotTheFaultedShardsOwn() {
        DrillResult r = new DrillResult();
        r.queues.add(queue("drill-2", true, 6000, 7000, 30)); // its master was killed: a stall is its downtime
        r.queues.add(queue("drill-1", false, 400, 1000, 40)); // at the limit: kept
        r.queues.add(queue("drill-5", false, 300, 1001, 40)); // 1 ms over
        r.queues.add(queue("drill-9", false, 4100, 500, 40));
        DrillResult.Shard killed = new DrillResult.Shard();
        killed.name = "shard-0";
        killed.faulted = true;
        killed.recoverySeconds = 5.1;
        r.shards.add(killed);

        List<String> why = QueueGaps.breaches(Scenario.CLUSTER_MASTER_KILL, r);
        assertEquals(2, why.size(), why::toString);
        assertTrue(why.get(0).startsWith("queue drill-5 (shard-1, not faulted) went 1.00 s without a recorded outcome"), why::toString);
        assertTrue(why.get(1).startsWith("queue drill-9 (shard-1, not faulted) went 4.10 s without a 2xx"), why::toString);

        killed.recoverySeconds = -1;
        assertTrue(QueueGaps.breaches(Scenario.CLUSTER_MASTER_KILL, r).contains("shard-0 (its master killed) did not recover"));
        // resharding judges no gap, only whether every queue still completes work
        assertEquals(List.of(), QueueGaps.breaches(Scenario.CLUSTER_RESHARDING, r));
    }

    @Test
    void aQueueThatCompletesNothingAcknowledgedAfterTheFaultIsStuck() {
        DrillResult r = new DrillResult();
        r.queues.add(queue("drill-2", true, 900, 900, 0));
        r.queues.add(queue("drill-3", false, 200, 300, 12));
        assertEquals(List.of("queue drill-2 (shard-0) stuck: no job acknowledged after the fault completed"),
                QueueGaps.breaches(Scenario.CLUSTER_RESHARDING, r));
    }

    @Test
    void groundTruthOfAClusterDrillReadsEveryDrillQueueAndOnlyThose() {
        GroundTruth truth = new GroundTruth(Set.of("drill-0", "drill-1"));
        for (String[] line : List.of(new String[] {"drill-0", "a"}, new String[] {"drill-1", "b"},
                new String[] {"demo", "c"})) {
            truth.accept(ServiceLog.parse("{\"timestamp\":\"2026-01-01T00:00:01Z\",\"message\":\"m\",\"mdc\":{\"event\":"
                    + "\"job_succeeded\",\"queue\":\"" + line[0] + "\",\"job_id\":\"" + line[1] + "\",\"attempt\":\"1\"}}"));
        }
        assertEquals(Set.of("a", "b"), truth.succeeded.keySet());
        assertEquals("drill-1", truth.queueOf.get("b"));
    }

    /**
     * A queue served through a run of fail jobs records outcomes (retries written to Redis) though
     * nothing succeeds; a job_failed line is not one (it is logged before Redis records anything).
     */
    @Test
    void retriesAndDeadLettersCountAsRecordedOutcomesAndFailedAttemptsDoNot() {
        GroundTruth truth = new GroundTruth(Set.of("drill-0"));
        String[][] lines = {{"job_succeeded", "01"}, {"job_failed", "02"}, {"job_retry_scheduled", "03"},
            {"job_started", "04"}, {"job_dead_lettered", "05"}};
        for (String[] line : lines) {
            truth.accept(ServiceLog.parse("{\"timestamp\":\"2026-01-01T00:00:" + line[1] + "Z\",\"message\":\"m\",\"mdc\":{"
                    + "\"event\":\"" + line[0] + "\",\"queue\":\"drill-0\",\"job_id\":\"j\",\"attempt\":\"1\"}}"));
        }
        long base = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        assertEquals(List.of(base + 1000, base + 3000, base + 5000), truth.recordedOutcomes.get("drill-0"));
        // the gap judged is between those: 2 s, where successes alone would leave 4 s
        assertArrayEquals(new long[] {2000, base + 1000},
                QueueGaps.longestGap(truth.recordedOutcomes.get("drill-0"), base + 500, base + 5500));
    }
}

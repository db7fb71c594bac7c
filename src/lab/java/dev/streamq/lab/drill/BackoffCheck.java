package dev.streamq.lab.drill;

import dev.streamq.lab.Percentile;
import dev.streamq.worker.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether the workers kept their retry policy: the spacing of retried jobs in the workers'
 * logs against the policy's ceiling, which is the service's own {@link RetryPolicy} with the
 * settings every drill gives the workers.
 */
final class BackoffCheck {

    static final long INITIAL_MS = 200;
    static final long MAX_MS = 2000;
    static final double MULTIPLIER = 2.0;
    static final RetryPolicy POLICY = new RetryPolicy(Duration.ofMillis(INITIAL_MS), Duration.ofMillis(MAX_MS), MULTIPLIER);
    static final long PROMOTE_INTERVAL_MS = 250;
    /** Allowed beyond the ceiling: a due retry waits for the next promote tick, then a read and a start. */
    static final long SLACK_MS = PROMOTE_INTERVAL_MS + 250;
    /**
     * Gaps that begin this soon after the load starts are counted, not judged: the load's first
     * connections and the services' first reads of a new queue. Before the drills warmed their
     * JVMs up ({@link WarmUp}) the first jobs reached a worker 660 ms after their submission here.
     */
    static final long WARM_UP_MS = 2000;

    private BackoffCheck() {
    }

    /** The worker settings that make the services run with {@link #POLICY}. */
    static Map<String, String> workerEnv() {
        return Map.of(
                "STREAMQ_WORKER_BACKOFF_INITIAL", INITIAL_MS + "ms",
                "STREAMQ_WORKER_BACKOFF_MAX", MAX_MS + "ms",
                "STREAMQ_WORKER_BACKOFF_MULTIPLIER", String.valueOf(MULTIPLIER),
                "STREAMQ_WORKER_PROMOTE_INTERVAL", PROMOTE_INTERVAL_MS + "ms");
    }

    /** The largest backoff after failed attempt n (1-based). */
    static long ceilingMs(int attempt) {
        return POLICY.ceiling(attempt).toMillis();
    }

    /**
     * The spacing of retried jobs: for every job_retry_scheduled of attempt n that has a
     * job_started of attempt n + 1, the gap between the job_started of n and of n + 1, against
     * the ceiling of n. A gap over ceiling + slack is a policy breach unless it overlaps
     * [faultFrom, faultTo], where the retry waited in Redis for a master.
     */
    static DrillResult.Backoff measure(GroundTruth truth, long faultFrom, long faultTo) {
        return measure(truth, Long.MIN_VALUE, faultFrom, faultTo, List.of());
    }

    /**
     * The same, for gaps that begin at or after {@code measuredFrom} (load start +
     * {@link #WARM_UP_MS}; the others are counted as warm-up), and for a soak: every later fault
     * in {@code laterFaults} (epoch ms) opens a window as long as the first one, so a retry that
     * waited out the third kill is not called a breach.
     */
    static DrillResult.Backoff measure(GroundTruth truth, long measuredFrom, long faultFrom, long faultTo,
            List<Long> laterFaults) {
        List<long[]> windows = new ArrayList<>();
        windows.add(new long[] {faultFrom, faultTo});
        laterFaults.forEach(at -> windows.add(new long[] {at, faultTo == Long.MAX_VALUE ? Long.MAX_VALUE : at + (faultTo - faultFrom)}));
        DrillResult.Backoff b = new DrillResult.Backoff();
        b.initialMs = INITIAL_MS;
        b.maxMs = MAX_MS;
        b.multiplier = MULTIPLIER;
        b.promoteIntervalMs = PROMOTE_INTERVAL_MS;
        b.slackMs = SLACK_MS;
        b.failJobFailures = DrillLoad.FAIL_FAILURES;
        b.failJobMaxAttempts = DrillLoad.FAIL_MAX_ATTEMPTS;
        b.faultWindowFromMillis = faultFrom;
        b.faultWindowToMillis = faultTo == Long.MAX_VALUE ? -1 : faultTo;
        Map<Integer, List<DrillResult.Gap>> byAttempt = new TreeMap<>();
        List<DrillResult.Gap> over = new ArrayList<>();
        for (Map.Entry<String, Set<Integer>> e : truth.retryScheduled.entrySet()) {
            TreeMap<Integer, Long> starts = truth.startsByAttempt.get(e.getKey());
            if (starts == null) {
                continue;
            }
            boolean measured = false;
            for (int n : e.getValue()) {
                Long from = starts.get(n);
                Long to = starts.get(n + 1);
                if (from == null || to == null) {
                    continue; // a start not logged (unrecorded, cut by kill -9): nothing to measure
                }
                if (from < measuredFrom) {
                    b.warmUpGaps++;
                    continue;
                }
                DrillResult.Gap g = gap(e.getKey(), n, from, to, windows);
                byAttempt.computeIfAbsent(n, k -> new ArrayList<>()).add(g);
                measured = true;
                if (g.gapMs > g.ceilingMs + SLACK_MS) {
                    over.add(g);
                }
            }
            if (measured) {
                b.retriedJobs++;
            }
        }
        byAttempt.forEach((attempt, gaps) -> {
            DrillResult.AttemptSpacing a = spacing(attempt, gaps);
            b.gaps += a.gaps;
            b.overLimit += a.overLimit;
            b.delayedByOutage += a.delayedByOutage;
            b.byAttempt.add(a);
        });
        // the ones that matter first: outside the window, then the longest
        over.sort((x, y) -> x.inFaultWindow != y.inFaultWindow ? (x.inFaultWindow ? 1 : -1)
                : Long.compare(y.gapMs - y.ceilingMs, x.gapMs - x.ceilingMs));
        b.worstGaps = new ArrayList<>(over.subList(0, Math.min(10, over.size())));
        return b;
    }

    private static DrillResult.Gap gap(String jobId, int attempt, long from, long to, List<long[]> windows) {
        DrillResult.Gap g = new DrillResult.Gap();
        g.jobId = jobId;
        g.attempt = attempt;
        g.startedMillis = from;
        g.nextStartedMillis = to;
        g.gapMs = to - from;
        g.ceilingMs = ceilingMs(attempt);
        g.inFaultWindow = windows.stream().anyMatch(w -> from <= w[1] && to >= w[0]);
        return g;
    }

    private static DrillResult.AttemptSpacing spacing(int attempt, List<DrillResult.Gap> gaps) {
        List<Long> ms = new ArrayList<>();
        for (DrillResult.Gap g : gaps) {
            ms.add(g.gapMs);
        }
        ms.sort(null);
        DrillResult.AttemptSpacing a = new DrillResult.AttemptSpacing();
        a.attempt = attempt;
        a.ceilingMs = ceilingMs(attempt);
        a.gaps = gaps.size();
        a.minMs = ms.get(0);
        a.medianMs = Percentile.of(ms, 50);
        a.p90Ms = Percentile.of(ms, 90);
        a.maxMs = ms.get(ms.size() - 1);
        a.meanMs = Outage.round2(ms.stream().mapToLong(Long::longValue).average().orElse(0));
        for (DrillResult.Gap g : gaps) {
            if (g.gapMs <= a.ceilingMs) {
                a.withinCeiling++;
            } else if (g.gapMs > a.ceilingMs + SLACK_MS) {
                if (g.inFaultWindow) {
                    a.delayedByOutage++;
                } else {
                    a.overLimit++;
                }
            }
        }
        return a;
    }
}

package dev.streamq.lab.drill;

import dev.streamq.lab.LoadGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster drill's per-queue and per-shard figures: for each queue the longest stretch without
 * a 2xx and without a recorded outcome (an attempt's success, retry or dead-letter written to
 * Redis), and for each shard its downtime and recovery. Outcomes, not only successes: two fail
 * jobs in a row (5 % of the mix each) leave a served queue ~950 ms without a success (a clean
 * run measured 941 ms on a healthy shard), while a stalled shard records nothing at all. Why per queue:
 * on a cluster the drill's claim is about the queues whose shard did not fail, which the
 * all-queues totals (a healthy shard keeps the overall acks flowing) would hide.
 */
final class QueueGaps {

    /** The longest gap a queue whose shard did not fail may show: its jobs are offered every rate/queues s, far more often. */
    static final long HEALTHY_GAP_LIMIT_MS = 1000;

    private QueueGaps() {
    }

    /**
     * Fills {@code r.queues} and the figures of {@code r.shards} (whose name, slots, queues and
     * faulted flag the drill set). Gaps are measured from load start + warm-up to load stop,
     * bounds included, so a queue that stops for good shows a gap to the end.
     */
    static void into(DrillResult r, List<LoadGenerator.Submission> subs, GroundTruth truth, Map<String, Integer> slotOf,
            Set<String> faultedQueues) {
        long from = r.loadStartMillis + BackoffCheck.WARM_UP_MS;
        long to = r.loadStopMillis;
        long fault = r.faultAtMillis;
        for (DrillResult.Shard shard : r.shards) {
            boolean recovered = true;
            double recovery = 0;
            for (String queue : shard.queues) {
                DrillResult.QueueGap q = new DrillResult.QueueGap();
                q.queue = queue;
                q.slot = slotOf.get(queue);
                q.shard = shard.name;
                q.shardFaulted = faultedQueues.contains(queue);
                List<Long> acks = new ArrayList<>();
                long firstDoneAfterFault = Long.MAX_VALUE;
                for (LoadGenerator.Submission s : subs) {
                    if (!queue.equals(s.queue()) || !s.acknowledged()) {
                        continue;
                    }
                    q.acknowledged++;
                    acks.add(s.ackMillis());
                    Long done = truth.firstSuccess.get(s.jobId());
                    if (s.ackMillis() >= fault && done != null) {
                        q.completedAfterFault++;
                        firstDoneAfterFault = Math.min(firstDoneAfterFault, done);
                    }
                }
                q.completed = (int) truth.queueOf.values().stream().filter(queue::equals).count();
                long[] ackGap = longestGap(acks, from, to);
                long[] outcomeGap = longestGap(truth.recordedOutcomes.getOrDefault(queue, List.of()), from, to);
                q.longestAckGapMs = ackGap[0];
                q.ackGapFromMs = ackGap[1] - fault;
                q.longestOutcomeGapMs = outcomeGap[0];
                q.outcomeGapFromMs = outcomeGap[1] - fault;
                r.queues.add(q);
                shard.downtimeSeconds = Math.max(shard.downtimeSeconds, Outage.round2(q.longestAckGapMs / 1000.0));
                shard.longestOutcomeGapMs = Math.max(shard.longestOutcomeGapMs, q.longestOutcomeGapMs);
                if (firstDoneAfterFault == Long.MAX_VALUE) {
                    recovered = false;
                } else {
                    recovery = Math.max(recovery, (firstDoneAfterFault - fault) / 1000.0);
                }
            }
            shard.recoverySeconds = recovered ? Outage.round2(recovery) : -1;
        }
    }

    /**
     * The longest gap between consecutive times within [from, to], the bounds counting as times:
     * {gap ms, its start}. Times outside the bounds are ignored.
     */
    static long[] longestGap(List<Long> times, long from, long to) {
        List<Long> sorted = new ArrayList<>();
        sorted.add(from);
        times.stream().filter(t -> t > from && t < to).forEach(sorted::add);
        sorted.add(to);
        sorted.sort(null);
        long[] worst = {0, from};
        for (int i = 1; i < sorted.size(); i++) {
            long gap = sorted.get(i) - sorted.get(i - 1);
            if (gap > worst[0]) {
                worst[0] = gap;
                worst[1] = sorted.get(i - 1);
            }
        }
        return worst;
    }

    /**
     * Why the queues break the drill's claim: a queue whose shard did not fail that went over
     * {@link #HEALTHY_GAP_LIMIT_MS} without a 2xx or a recorded outcome (cluster-master-kill), a queue
     * that completed nothing acknowledged after the fault (both), a faulted shard that did not
     * recover (cluster-master-kill).
     */
    static List<String> breaches(Scenario scenario, DrillResult r) {
        List<String> why = new ArrayList<>();
        for (DrillResult.QueueGap q : r.queues) {
            if (scenario == Scenario.CLUSTER_MASTER_KILL && !q.shardFaulted) {
                if (q.longestAckGapMs > HEALTHY_GAP_LIMIT_MS) {
                    why.add(String.format(java.util.Locale.ROOT, "queue %s (%s, not faulted) went %.2f s without a 2xx from t=%+.2fs",
                            q.queue, q.shard, q.longestAckGapMs / 1000.0, q.ackGapFromMs / 1000.0));
                }
                if (q.longestOutcomeGapMs > HEALTHY_GAP_LIMIT_MS) {
                    why.add(String.format(java.util.Locale.ROOT,
                            "queue %s (%s, not faulted) went %.2f s without a recorded outcome from t=%+.2fs", q.queue, q.shard,
                            q.longestOutcomeGapMs / 1000.0, q.outcomeGapFromMs / 1000.0));
                }
            }
            if (q.completedAfterFault == 0) {
                why.add("queue " + q.queue + " (" + q.shard + ") stuck: no job acknowledged after the fault completed");
            }
        }
        if (scenario == Scenario.CLUSTER_MASTER_KILL) {
            r.shards.stream().filter(s -> s.faulted && s.recoverySeconds < 0)
                    .forEach(s -> why.add(s.name + " (its master killed) did not recover"));
        }
        return why;
    }
}

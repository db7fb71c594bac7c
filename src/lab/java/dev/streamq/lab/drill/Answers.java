package dev.streamq.lab.drill;

import dev.streamq.lab.LoadGenerator;
import dev.streamq.lab.Percentile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the producers saw: answers by status, submit latency before, during and after the
 * fault, the downtime and the recovery, and the per-second timeline the picture is drawn from.
 */
final class Answers {

    private Answers() {
    }

    /** {@code nextMark}: the drill's next action after the fault (latency removed, failover seen, restart). */
    static void into(DrillResult r, LoadGenerator load, GroundTruth truth, long nextMark) {
        long fault = r.faultAtMillis;
        List<LoadGenerator.Answer> answers = load.answers();
        answers.sort((a, b) -> Long.compare(a.timeMillis(), b.timeMillis()));
        List<Long> okTimes = new ArrayList<>();
        List<Long> failTimes = new ArrayList<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        List<Long> latBefore = new ArrayList<>();
        List<Long> latAfter = new ArrayList<>();
        List<Long> latWindow = new ArrayList<>();
        for (LoadGenerator.Answer a : answers) {
            (a.ok() ? okTimes : failTimes).add(a.timeMillis());
            if (!a.ok() && a.timeMillis() >= fault) {
                r.failedAnswersAfterFault++;
            }
            byStatus.merge(a.status() == -1 ? "connection error/timeout" : String.valueOf(a.status()), 1, Integer::sum);
            (a.timeMillis() < fault ? latBefore : latAfter).add(a.latencyMillis());
            if (a.timeMillis() >= fault && a.timeMillis() < nextMark) {
                latWindow.add(a.latencyMillis());
            }
        }
        r.failedAnswers = failTimes.size();
        r.answersByStatus = byStatus;
        latBefore.sort(null);
        latAfter.sort(null);
        latWindow.sort(null);
        r.submitLatencyMs = new LinkedHashMap<>();
        r.submitLatencyMs.put("p50_before_fault", Percentile.of(latBefore, 50));
        r.submitLatencyMs.put("p99_before_fault", Percentile.of(latBefore, 99));
        r.submitLatencyMs.put("p50_after_fault", Percentile.of(latAfter, 50));
        r.submitLatencyMs.put("p99_after_fault", Percentile.of(latAfter, 99));
        r.submitLatencyMs.put("max_after_fault", latAfter.isEmpty() ? -1 : latAfter.get(latAfter.size() - 1));
        r.submitLatencyMs.put("p50_fault_to_next_mark", Percentile.of(latWindow, 50));
        r.submitLatencyMs.put("p99_fault_to_next_mark", Percentile.of(latWindow, 99));
        r.downtimeSeconds = Outage.round2(Outage.downtime(okTimes, failTimes, r.loadStartMillis, r.loadStopMillis) / 1000.0);

        int seconds = (int) Math.ceil((r.loadStopMillis - r.loadStartMillis) / 1000.0) + 1;
        r.timeline = new DrillResult.Timeline(r.loadStartMillis, seconds);
        load.submissions().forEach(s -> r.timeline.add(r.timeline.submitted, s.offeredMillis()));
        okTimes.forEach(t -> r.timeline.add(r.timeline.acked, t));
        failTimes.forEach(t -> r.timeline.add(r.timeline.errors, t));
        List<Long> completions = new ArrayList<>(truth.firstSuccess.values());
        completions.forEach(t -> r.timeline.add(r.timeline.completed, t));
        r.recoverySeconds = Outage.recovery(okTimes, failTimes, completions, r.loadStartMillis, r.loadStopMillis, fault);
        r.recovered = r.recoverySeconds >= 0;
    }
}

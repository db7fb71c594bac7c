package dev.streamq.lab.bench;

import dev.streamq.lab.Await;
import dev.streamq.lab.LoadGenerator;
import dev.streamq.lab.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A steady open-loop load at one rate (the {@link LoadGenerator}, as the drills use it): a
 * warm-up, then a measured window whose jobs are followed to their job_succeeded line.
 */
final class SteadyRun {

    /** What the jobs offered in the measured window [from, to) did. */
    record Result(int offered, int acknowledged, int completed, long from, long to, List<Long> submit,
            List<Long> e2e, List<long[]> jobs, long firstDone, long lastDone, String cpu, CpuShare.Snapshot cpuFrom,
            CpuShare.Snapshot cpuTo, Map<String, List<Long>> e2eByQueue) {
        double completedPerSecond() {
            return completed > 1 && lastDone > firstDone ? (completed - 1) / ((lastDone - firstDone) / 1000.0) : 0;
        }
    }

    private SteadyRun() {
    }

    /** LoadGenerator at {@code rate} for warm + measure seconds; jobs offered in the measured window count. */
    static Result run(ServiceProcess p, long redisPid, Completions log, String queue, double rate, int warm, int measure,
            Duration wait) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("streamq", p.pid());
        pids.put("redis", redisPid);
        pids.put("lab", ProcessHandle.current().pid());
        return run(p, pids, log, List.of(queue), 64, rate, warm, measure, wait, () -> { });
    }

    /**
     * The same over several queues, the n-th job to {@code queues[n % size]}, each queue with
     * {@code threadsPerQueue} client threads of its own; the CPU of every process in {@code pids}
     * (name to PID) is taken at both ends of the measured window, and {@code atEdge} runs right
     * after each (for counters of the caller's own, such as Redis' command stats).
     */
    static Result run(ServiceProcess p, Map<String, Long> pids, Completions log, List<String> queues, int threadsPerQueue,
            double rate, int warm, int measure, Duration wait, Runnable atEdge) {
        LoadGenerator load = new LoadGenerator(p.baseUrl(), queues, rate, threadsPerQueue, 7, Duration.ofSeconds(30),
                n -> Map.of("type", "noop", "payload", Map.of()));
        load.start();
        long from = load.startMillis() + warm * 1000L;
        long to = from + measure * 1000L;
        Await.sleepUntil(from);
        CpuShare.Snapshot c0 = CpuShare.snapshot(pids);
        atEdge.run();
        Await.sleepUntil(to);
        CpuShare.Snapshot c1 = CpuShare.snapshot(pids);
        atEdge.run();
        load.stop(Duration.ofSeconds(60));
        Map<String, Long> offered = new HashMap<>();
        Map<String, String> queueOf = new HashMap<>();
        int offeredCount = 0;
        for (LoadGenerator.Submission s : load.submissions()) {
            if (s.offeredMillis() >= from && s.offeredMillis() < to) {
                offeredCount++;
                if (s.acknowledged()) {
                    offered.put(s.jobId(), s.offeredMillis());
                    queueOf.put(s.jobId(), s.queue());
                }
            }
        }
        List<Long> submit = new ArrayList<>();
        for (LoadGenerator.Answer a : load.answers()) {
            if (a.ok() && a.timeMillis() >= from && a.timeMillis() < to) {
                submit.add(a.latencyMillis());
            }
        }
        Await.holds(wait, Duration.ofMillis(500), () -> finished(log, queues).keySet().containsAll(offered.keySet()));
        Map<String, Long> finished = finished(log, queues);
        List<Long> e2e = new ArrayList<>();
        Map<String, List<Long>> byQueue = new HashMap<>();
        List<long[]> jobs = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (Map.Entry<String, Long> e : offered.entrySet()) {
            Long f = finished.get(e.getKey());
            if (f != null) {
                e2e.add(f - e.getValue());
                byQueue.computeIfAbsent(queueOf.get(e.getKey()), q -> new ArrayList<>()).add(f - e.getValue());
                jobs.add(new long[] {e.getValue(), f});
                first = Math.min(first, f);
                last = Math.max(last, f);
            }
        }
        Collections.sort(e2e);
        Collections.sort(submit);
        byQueue.values().forEach(Collections::sort);
        return new Result(offeredCount, offered.size(), e2e.size(), from, to, submit, e2e, jobs, first, last,
                CpuShare.share(c0, c1, 0), c0, c1, byQueue);
    }

    /** job id -> when it succeeded, over every queue (an id names its queue, so ids never clash). */
    private static Map<String, Long> finished(Completions log, List<String> queues) {
        Map<String, Long> all = new HashMap<>();
        queues.forEach(q -> all.putAll(log.of(q)));
        return all;
    }
}

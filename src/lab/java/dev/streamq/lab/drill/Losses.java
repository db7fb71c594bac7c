package dev.streamq.lab.drill;

import dev.streamq.lab.JobsClient;
import dev.streamq.lab.LoadGenerator;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What became of the acknowledged jobs, by the workers' logs: completed, lost (with what the
 * store says of each and when its 2xx came), run twice, retried; and whether every key was
 * answered with one job id. The store is asked only about jobs the logs do not show succeeded:
 * one whose start is logged and whose hash says succeeded ran and was recorded, and only its
 * line died with a killed worker; counted as completed and as such, never as lost.
 */
final class Losses {

    private Losses() {
    }

    static void into(DrillResult r, List<LoadGenerator.Submission> subs, GroundTruth truth, List<DrillResult.Kill> kills,
            JobsClient api, long fault) {
        Map<String, Long> ackTime = new HashMap<>();
        for (LoadGenerator.Submission s : subs) {
            if (s.acknowledged()) {
                ackTime.put(s.jobId(), s.ackMillis());
            }
        }
        List<String> lost = new ArrayList<>();
        for (String id : ackTime.keySet()) {
            if (truth.succeeded.containsKey(id)) {
                r.completed++;
            } else if (truth.started.containsKey(id) && state(api, id).startsWith("succeeded ")) {
                // A worker's log shows it ran, and only a worker's complete call writes succeeded
                // (a failover loses writes, it does not make them up): the worker was killed after
                // Redis recorded the success and before its job_succeeded line was written.
                r.completed++;
                r.successLinesLost++;
            } else {
                lost.add(id);
            }
        }
        r.offered = subs.size();
        r.acknowledged = ackTime.size();
        r.unacknowledged = subs.size() - ackTime.size();
        r.lost = lost.size();
        // Every lost id with what the store says of it and when its 2xx came, so a loss can be explained.
        lost.sort((a, b) -> Long.compare(ackTime.getOrDefault(a, 0L), ackTime.getOrDefault(b, 0L)));
        for (String id : lost) {
            r.lostStates.put(id, state(api, id));
            r.lostAckedAfterFaultMs.put(id, ackTime.getOrDefault(id, 0L) - fault);
        }
        r.lostIds = new ArrayList<>(lost);
        r.kills = perKill(kills, lost, ackTime, truth);
        r.duplicated = (int) truth.succeeded.values().stream().filter(n -> n > 1).count();
        r.jobRetries = truth.started.values().stream().mapToInt(n -> Math.max(0, n - 1)).sum();
        r.executedUnacknowledged = (int) truth.succeeded.keySet().stream().filter(id -> !ackTime.containsKey(id)).count();
        for (LoadGenerator.Submission s : subs) {
            if (new HashSet<>(s.ids()).size() > 1) {
                r.idempotencyConflicts++;
            }
            if (s.replayed()) {
                r.replayedAnswers++;
            }
        }
        r.jobRetriesByReason = new LinkedHashMap<>(truth.byReason);
        r.jobRetryErrors = new LinkedHashMap<>(truth.retryErrors);
    }

    /** The job's state and attempts per GET /jobs/{id}, as the report prints it. */
    private static String state(JobsClient api, String id) {
        try {
            JobsClient.Reply reply = api.get(id);
            if (reply.status() != 200) {
                return "HTTP " + reply.status();
            }
            Map<String, Object> job = reply.body();
            return job.get("state") + " attempts=" + job.getOrDefault("attempts", 0);
        } catch (UncheckedIOException e) {
            return "unreadable: " + e.getCause();
        }
    }

    /**
     * Lost and duplicated jobs by kill: a job belongs to the first kill after its 2xx (the kill
     * whose failover could lose or rerun it), the last kill when its 2xx came after all of them.
     */
    static List<DrillResult.Kill> perKill(List<DrillResult.Kill> kills, List<String> lost, Map<String, Long> ackTime,
            GroundTruth truth) {
        if (kills.isEmpty()) {
            return kills;
        }
        for (String id : lost) {
            owner(kills, ackTime.getOrDefault(id, 0L)).lost++;
        }
        truth.succeeded.forEach((id, n) -> {
            if (n > 1) {
                // a job whose 2xx never came (the client gave up) counts from its first run
                owner(kills, ackTime.getOrDefault(id, truth.firstSuccess.getOrDefault(id, 0L))).duplicated++;
            }
        });
        return kills;
    }

    private static DrillResult.Kill owner(List<DrillResult.Kill> kills, long ackMillis) {
        for (DrillResult.Kill k : kills) {
            if (ackMillis <= k.atMillis) {
                return k;
            }
        }
        return kills.get(kills.size() - 1);
    }

    /** Fail jobs offered, acknowledged and succeeded, for the backoff section. */
    static void failJobsInto(DrillResult.Backoff b, List<LoadGenerator.Submission> subs, GroundTruth truth) {
        for (LoadGenerator.Submission s : subs) {
            if ("fail".equals(s.type())) {
                b.failJobsOffered++;
                if (s.acknowledged()) {
                    b.failJobsAcknowledged++;
                    if (truth.succeeded.containsKey(s.jobId())) {
                        b.failJobsSucceeded++;
                    }
                }
            }
        }
    }

    /** The acknowledged ids. */
    static Set<String> acknowledged(List<LoadGenerator.Submission> subs) {
        Set<String> acked = new HashSet<>();
        for (LoadGenerator.Submission s : subs) {
            if (s.acknowledged()) {
                acked.add(s.jobId());
            }
        }
        return acked;
    }
}

package dev.streamq.lab.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes drill results: per drill {@code NAME.md}, {@code NAME.json}, {@code NAME.svg}; for the
 * run {@code report.json} (all drills) and {@code summary.md} (one table).
 */
public final class DrillReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DrillReport() {
    }

    public static Path defaultOut() {
        return Paths.get("target", "drills", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    public static void writeDrill(Path out, DrillResult r) {
        try {
            Files.createDirectories(out);
            JSON.writeValue(out.resolve(r.drill + ".json").toFile(), r);
            Files.writeString(out.resolve(r.drill + ".svg"), TimelineSvg.of(r));
            Files.writeString(out.resolve(r.drill + ".md"), markdown(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeSummary(Path out, List<DrillResult> results) {
        try {
            Files.createDirectories(out);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (DrillResult r : results) {
                @SuppressWarnings("unchecked")
                Map<String, Object> row = JSON.convertValue(r, LinkedHashMap.class);
                row.remove("timeline");
                rows.add(row);
            }
            JSON.writeValue(out.resolve("report.json").toFile(), Map.of("drills", rows));
            Files.writeString(out.resolve("summary.md"), summary(results));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String summary(List<DrillResult> results) {
        StringBuilder md = new StringBuilder("# streamq drills\n\n");
        md.append(table(results));
        md.append("\nPer drill: `NAME.md` (details), `NAME.json`, `NAME.svg` (timeline).\n");
        return md.toString();
    }

    public static String table(List<DrillResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("| drill | topology | rate/s | downtime s | recovery s | acked | completed | lost | duplicated | job retries | redis retries | backoff gaps (over limit / outage) | switch-master | alerts fired | passed |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        for (DrillResult r : results) {
            long switches = r.sentinelEvents.stream().filter(e -> e.contains("+switch-master")).count();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %s | %d | %d | %d | %d | %d | %d | %s | %s | %s | %s |%n",
                    r.drill, r.topology, r.rate, r.downtimeSeconds,
                    r.recoverySeconds < 0 ? "not recovered" : String.format(Locale.ROOT, "%.2f", r.recoverySeconds),
                    r.acknowledged, r.completed, r.lost, r.duplicated, r.jobRetries, r.redisRetries,
                    r.backoff == null ? "-" : r.backoff.gaps + " (" + r.backoff.overLimit + " / " + r.backoff.delayedByOutage + ")",
                    switches == 0 ? "-" : (r.switchMasterAtMillis > 0
                            ? String.format(Locale.ROOT, "+%.2fs", (r.switchMasterAtMillis - r.faultAtMillis) / 1000.0)
                            : "yes"),
                    firedAlerts(r), r.passed ? "yes" : "**NO**"));
        }
        return md.toString();
    }

    /** "RedisFailover +1.2s, SubmissionsRefused +0.4s"; "none"; "-" when not observed. */
    private static String firedAlerts(DrillResult r) {
        if (r.alerts == null) {
            return "-";
        }
        Map<String, Long> first = new LinkedHashMap<>();
        r.alerts.stream().filter(DrillResult.Alert::fired).forEach(a -> first.merge(a.name, a.firingAtMs, Math::min));
        if (first.isEmpty()) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        first.forEach((name, at) -> out.add(String.format(Locale.ROOT, "%s %+.1fs", name, at / 1000.0)));
        return String.join(", ", out);
    }

    private static void alerts(StringBuilder md, DrillResult r) {
        if (r.alerts == null) {
            return;
        }
        md.append("\n## Alerts\n\n");
        md.append("The project's rules on a real Prometheus (notes say what the lab changed). Must fire: ")
                .append(r.alertsExpected.isEmpty() ? "none" : String.join(", ", r.alertsExpected)).append("; may fire: ")
                .append(r.alertsAllowed.isEmpty() ? "none" : String.join(", ", r.alertsAllowed))
                .append("; any other that fires fails the drill. Times in s after the fault.\n\n");
        if (r.alerts.isEmpty()) {
            md.append("No alert went pending or fired.\n");
            return;
        }
        md.append("| alert | labels | severity | pending | firing | resolved |\n|---|---|---|---:|---:|---:|\n");
        for (DrillResult.Alert a : r.alerts) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", a.name, a.labels.isEmpty() ? "-" : "`" + a.labels + "`",
                    a.severity, at(a.pendingAtMs, "-"), at(a.firingAtMs, "-"), at(a.resolvedAtMs, "active at end")));
        }
    }

    private static String at(Long ms, String none) {
        return ms == null ? none : String.format(Locale.ROOT, "%+.1f", ms / 1000.0);
    }

    static String markdown(DrillResult r) {
        StringBuilder md = new StringBuilder();
        md.append("# drill ").append(r.drill).append(r.passed ? " — passed" : " — FAILED").append("\n\n");
        md.append(r.description).append("\n\n");
        md.append(String.format(Locale.ROOT, "Topology %s, %.0f jobs/s offered for %d s, seed %d.%n%n", r.topology, r.rate,
                r.durationSeconds, r.seed));
        md.append("![timeline](").append(r.drill).append(".svg)\n\n");
        md.append("| measure | value |\n|---|---|\n");
        row(md, "downtime_seconds (longest stretch without a 2xx, holding a failure)", fmt(r.downtimeSeconds));
        row(md, "recovery_seconds (fault → 2xx again and acks+completions ≥ 80 % of pre-fault for 3 s)",
                r.recoverySeconds < 0 ? "not recovered" : fmt(r.recoverySeconds));
        row(md, "offered / acknowledged / unacknowledged", r.offered + " / " + r.acknowledged + " / " + r.unacknowledged);
        row(md, "completed (acknowledged and job_succeeded logged)", String.valueOf(r.completed - r.successLinesLost));
        if (r.successLinesLost > 0) {
            row(md, "completed, success line lost (job_started logged, store says succeeded: the worker was killed before the line)",
                    String.valueOf(r.successLinesLost));
        }
        row(md, "lost (acknowledged, never succeeded)", String.valueOf(r.lost));
        if ("partition".equals(r.drill)) {
            row(md, "lost inside the partition window (fault .. fault + min-replicas-max-lag)", String.valueOf(r.lostInPartitionWindow));
        }
        row(md, "duplicated (job_succeeded > 1 for one id)", String.valueOf(r.duplicated));
        row(md, "executed but never acknowledged (client gave up)", String.valueOf(r.executedUnacknowledged));
        row(md, "keys answered with two different ids", String.valueOf(r.idempotencyConflicts));
        row(md, "answers with replayed:true", String.valueOf(r.replayedAnswers));
        row(md, "job_retries (extra job_started per id; by reason below)", String.valueOf(r.jobRetries));
        row(md, "redis_retries (streamq_redis_retries_total, all processes; by operation below)", String.valueOf(r.redisRetries));
        row(md, "redis_errors (streamq_redis_errors_total, all processes; by kind below)", String.valueOf(r.redisErrors));
        row(md, "failed answers (all / after fault)", r.failedAnswers + " / " + r.failedAnswersAfterFault);
        row(md, "answers by HTTP status", String.valueOf(r.answersByStatus));
        row(md, "submit latency ms (p50/p99 before fault, p50/p99/max after)", String.valueOf(r.submitLatencyMs));
        r.metrics.forEach((k, v) -> row(md, k, String.format(Locale.ROOT, "%.0f", v)));
        if (r.alerts != null) {
            row(md, "alerts fired (first firing, s after the fault)", firedAlerts(r));
        }
        if (!r.failureReasons.isEmpty() || r.error != null) {
            md.append("\n**Failed:** ").append(String.join("; ", r.failureReasons));
            if (r.error != null) {
                md.append(" error: `").append(r.error).append('`');
            }
            md.append("\n");
        }
        if (r.promoted != null) {
            row(md, "promoted by Sentinel", r.promoted + (Boolean.TRUE.equals(r.promotedLaggard) ? " (the lagging replica)"
                    : " (not the lagging replica)"));
        }
        if (!r.lostIds.isEmpty()) {
            md.append("\nLost job ids, by the time of their 2xx relative to the fault (state per GET /jobs/{id}):\n\n");
            for (String id : r.lostIds) {
                Long after = r.lostAckedAfterFaultMs.get(id);
                md.append("- `").append(id).append("` acked ")
                        .append(after == null ? "?" : String.format(Locale.ROOT, "%+d ms", after)).append(", ")
                        .append(r.lostStates.getOrDefault(id, "")).append('\n');
            }
        }
        if (r.kills.size() > 1) {
            md.append("\n## Kills\n\n| kill | t s | master killed | cpu hog | lost | duplicated |\n|---|---|---|---|---|---|\n");
            for (DrillResult.Kill k : r.kills) {
                md.append(String.format(Locale.ROOT, "| %d | %+.1f | %s | %s | %d | %d |%n", k.index,
                        (k.atMillis - r.faultAtMillis) / 1000.0, k.master, k.cpuHog ? "yes" : "no", k.lost, k.duplicated));
            }
            md.append(String.format(Locale.ROOT, "| total | | | | %d | %d |%n", r.kills.stream().mapToInt(k -> k.lost).sum(),
                    r.kills.stream().mapToInt(k -> k.duplicated).sum()));
        }
        cluster(md, r);
        alerts(md, r);
        retries(md, r);
        backoff(md, r);
        md.append("\n## Timeline\n\n");
        for (DrillResult.Mark m : r.marks) {
            md.append(String.format(Locale.ROOT, "- t=%+.2fs %s%n", (m.atMillis() - r.faultAtMillis) / 1000.0, m.label()));
        }
        if (!r.sentinelEvents.isEmpty()) {
            md.append("\n## Sentinel events\n\n```\n");
            r.sentinelEvents.forEach(e -> md.append(e).append('\n'));
            md.append("```\n");
        }
        if (!r.notes.isEmpty()) {
            md.append("\n## Notes\n\n");
            r.notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    /** Cluster drills: per shard, per queue, the slot moved, the redis_error replies and the nodes' failover lines. */
    private static void cluster(StringBuilder md, DrillResult r) {
        if (r.shards.isEmpty()) {
            return;
        }
        md.append("\n## Shards\n\n");
        md.append("downtime: longest gap between consecutive 2xx on one of the shard's queues; recovery: fault → every queue of "
                + "the shard completed a job acknowledged after the fault; promotion: kill → the replica answers ROLE master "
                + "serving the shard's slots. From load start + " + BackoffCheck.WARM_UP_MS + " ms to load stop.\n\n");
        md.append("| shard | slots | master at start | master at end | faulted | promotion ms | downtime s | recovery s "
                + "| longest outcome gap ms | queues |\n|---|---|---|---|---|---:|---:|---:|---:|---|\n");
        for (DrillResult.Shard s : r.shards) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.2f | %s | %d | %s |%n", s.name, s.slots,
                    s.masterAtStart, s.masterAtEnd, s.faulted ? "**yes**" : "no",
                    s.promotionMs < 0 ? "-" : s.promoted + " " + s.promotionMs, s.downtimeSeconds,
                    s.recoverySeconds < 0 ? "not recovered" : fmt(s.recoverySeconds), s.longestOutcomeGapMs,
                    String.join(" ", s.queues)));
        }
        md.append("\n## Queues\n\n");
        md.append("Longest gaps in ms, with where they began (s after the fault). A queue whose shard was not faulted fails "
                + "cluster-master-kill with a gap over " + QueueGaps.HEALTHY_GAP_LIMIT_MS + " ms; any queue that completed "
                + "nothing acknowledged after the fault is stuck.\n\n");
        md.append("| queue | slot | shard | faulted | acked | completed | longest 2xx gap ms (from) | longest outcome gap ms (from) "
                + "| completed after fault |\n|---|---:|---|---|---:|---:|---:|---:|---:|\n");
        for (DrillResult.QueueGap q : r.queues) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %d | %s%d (%+.2f) | %s%d (%+.2f) | %d |%n", q.queue,
                    q.slot, q.shard, q.shardFaulted ? "yes" : "no", q.acknowledged, q.completed,
                    over(q), q.longestAckGapMs, q.ackGapFromMs / 1000.0, overOutcomeGap(q), q.longestOutcomeGapMs,
                    q.outcomeGapFromMs / 1000.0, q.completedAfterFault));
        }
        if (r.movedSlot >= 0) {
            md.append("\nSlot moved: ").append(r.movedSlot).append(", ").append(r.movedKeys).append(" keys.\n");
        }
        md.append("\nredis_error lines of the services by reply (MOVED/ASK mean the client gave a redirect back instead of "
                + "following it): ").append(r.redisErrorReplies.isEmpty() ? "none" : r.redisErrorReplies.toString()).append('\n');
        if (!r.clusterEvents.isEmpty()) {
            md.append("\n## Cluster node log\n\n```\n");
            r.clusterEvents.forEach(e -> md.append(e).append('\n'));
            md.append("```\n");
        }
    }

    private static String over(DrillResult.QueueGap q) {
        return !q.shardFaulted && q.longestAckGapMs > QueueGaps.HEALTHY_GAP_LIMIT_MS ? "**over** " : "";
    }

    private static String overOutcomeGap(DrillResult.QueueGap q) {
        return !q.shardFaulted && q.longestOutcomeGapMs > QueueGaps.HEALTHY_GAP_LIMIT_MS ? "**over** " : "";
    }

    private static final Map<String, String> REASONS = new LinkedHashMap<>();

    static {
        REASONS.put("retry_scheduled", "handler failed, retry scheduled with backoff (job_retry_scheduled)");
        REASONS.put("reclaimed", "taken over from a dead or slow consumer after the visibility timeout (job_reclaimed)");
        REASONS.put("released", "handed back to the queue at worker shutdown (job_released)");
        REASONS.put("duplicate", "succeeded again after an earlier success (job_duplicate)");
        REASONS.put("unrecorded", "start or outcome not recorded in Redis; left pending for reclaim (job_unrecorded)");
    }

    /** Job retries by reason (worker logs), Redis-call retries by operation and errors by kind (metrics). */
    private static void retries(StringBuilder md, DrillResult r) {
        md.append("\n## Retries\n\n");
        md.append("Job retries and hand-backs by reason (worker log events, queue `drill`):\n\n");
        md.append("| reason | count | meaning |\n|---|---:|---|\n");
        Map<String, Integer> reasons = new LinkedHashMap<>();
        REASONS.keySet().forEach(k -> reasons.put(k, 0));
        reasons.putAll(r.jobRetriesByReason);
        reasons.forEach((k, v) -> row(md, k + " | " + v, REASONS.getOrDefault(k,
                k.startsWith("dead_lettered:") ? "dead-lettered, reason " + k.substring(14) + " (job_dead_lettered)" : "")));
        if (!r.jobRetryErrors.isEmpty()) {
            md.append("\nHandler errors behind retry_scheduled (digits as #): ").append(r.jobRetryErrors).append('\n');
        }
        md.append("\nRedis-call retries by operation and errors by kind (`streamq_redis_retries_total`, "
                + "`streamq_redis_errors_total`, summed over every process and its restarts):\n\n");
        md.append("| redis | total | breakdown | by process |\n|---|---:|---|---|\n");
        row(md, "retries by operation | " + r.redisRetries, breakdown(r.redisRetriesByOperation) + " | "
                + byProcess(r.redisRetriesByProcess));
        row(md, "errors by kind | " + r.redisErrors, breakdown(r.redisErrorsByKind) + " | " + byProcess(r.redisErrorsByProcess));
    }

    private static String breakdown(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }

    private static String byProcess(Map<String, Map<String, Long>> m) {
        if (m.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        m.forEach((process, values) -> parts.add(process + ": " + breakdown(values)));
        return String.join("; ", parts);
    }

    /** Observed spacing of retried jobs against the policy. */
    private static void backoff(StringBuilder md, DrillResult r) {
        DrillResult.Backoff b = r.backoff;
        if (b == null) {
            return;
        }
        md.append("\n## Backoff\n\n");
        md.append(String.format(Locale.ROOT, "Policy: initial %d ms, multiplier %.0f, max %d ms, full jitter: the delay after "
                + "failed attempt n is uniform in [0, min(%d, %d·2^(n-1))] ms. A gap (job_started of n → job_started of n+1) "
                + "is over the limit when it exceeds ceiling + %d ms (promote interval %d ms + 250 ms scheduling).%n%n",
                b.initialMs, b.multiplier, b.maxMs, b.maxMs, b.initialMs, b.slackMs, b.promoteIntervalMs, b.slackMs));
        md.append(String.format(Locale.ROOT, "Load: %.0f %% fail jobs (fail the first %d attempts, maxAttempts %d): "
                + "%d offered, %d acknowledged, %d succeeded. %d retried jobs, %d gaps measured.%n",
                b.failShare * 100, b.failJobFailures, b.failJobMaxAttempts, b.failJobsOffered, b.failJobsAcknowledged,
                b.failJobsSucceeded, b.retriedJobs, b.gaps));
        md.append(String.format(Locale.ROOT, "Fault window: t=%+.2fs .. %s (to the drill's next action, the recovery or "
                + "the backlog back to normal, whichever is latest, + 1 s). Backlog: at most %d jobs waited to start at once "
                + "before the fault; back to that at %s.%n%n", 0.0,
                b.faultWindowToMillis < 0 ? "load stop (not recovered)"
                        : String.format(Locale.ROOT, "t=%+.2fs", (b.faultWindowToMillis - r.faultAtMillis) / 1000.0),
                b.backlogNormal, b.backlogDrainedMillis < 0 ? "-"
                        : String.format(Locale.ROOT, "t=%+.2fs", (b.backlogDrainedMillis - r.faultAtMillis) / 1000.0)));
        md.append("| after attempt | ceiling ms | gaps | min | median | p90 | max | mean | ≤ ceiling | over limit, outside fault window "
                + "| over limit, delayed by outage |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (DrillResult.AttemptSpacing a : b.byAttempt) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %.0f | %d | %d | %d |%n", a.attempt,
                    a.ceilingMs, a.gaps, a.minMs, a.medianMs, a.p90Ms, a.maxMs, a.meanMs, a.withinCeiling, a.overLimit,
                    a.delayedByOutage));
        }
        md.append(String.format(Locale.ROOT, "%n**%d gaps over ceiling + %d ms outside the fault window**, %d delayed by the outage; "
                + "%d gaps in the load's first %d ms not measured.%n",
                b.overLimit, b.slackMs, b.delayedByOutage, b.warmUpGaps, BackoffCheck.WARM_UP_MS));
        if (!b.worstGaps.isEmpty()) {
            md.append("\nLongest gaps over the limit (t from the fault):\n\n");
            for (DrillResult.Gap g : b.worstGaps) {
                md.append(String.format(Locale.ROOT, "- `%s` attempt %d → %d: %d ms (ceiling %d ms), t=%+.2fs → %+.2fs%s%n",
                        g.jobId, g.attempt, g.attempt + 1, g.gapMs, g.ceilingMs, (g.startedMillis - r.faultAtMillis) / 1000.0,
                        (g.nextStartedMillis - r.faultAtMillis) / 1000.0, g.inFaultWindow ? " (delayed by outage)" : " **outside the fault window**"));
            }
        }
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}

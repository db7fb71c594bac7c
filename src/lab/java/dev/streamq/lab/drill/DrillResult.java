package dev.streamq.lab.drill;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one drill measured; serialized as-is into report.json (snake_case names). */
public final class DrillResult {

    /** A result for a drill about to run: what it is and the load it was given. */
    static DrillResult of(Scenario scenario, DrillConfig config) {
        DrillResult r = new DrillResult();
        r.drill = scenario.id();
        r.topology = scenario.topologyName();
        r.description = scenario.description();
        r.rate = DrillLoad.rate(scenario, config);
        r.durationSeconds = config.duration.toSeconds();
        r.seed = config.seed;
        return r;
    }

    /** A vertical line on the timeline: the fault, a restart, a heal. */
    public record Mark(@JsonProperty("at_millis") long atMillis, @JsonProperty("label") String label) {
    }

    /** Per-second counts from load start, for the SVG. */
    public static final class Timeline {
        @JsonProperty("start_millis")
        public long startMillis;
        public int[] submitted;
        public int[] acked;
        public int[] errors;
        public int[] completed;

        public Timeline() {
        }

        Timeline(long startMillis, int seconds) {
            this.startMillis = startMillis;
            submitted = new int[seconds];
            acked = new int[seconds];
            errors = new int[seconds];
            completed = new int[seconds + 300];
        }

        void add(int[] series, long t) {
            int i = (int) ((t - startMillis) / 1000);
            if (i >= 0 && i < series.length) {
                series[i]++;
            }
        }
    }

    /** One attempt-to-attempt spacing of a retried job (handler failed on {@code attempt}). */
    public static final class Gap {
        @JsonProperty("job_id")
        public String jobId;
        /** The failed attempt n; the gap runs to the job_started of attempt n + 1. */
        public int attempt;
        @JsonProperty("started_millis")
        public long startedMillis;
        @JsonProperty("next_started_millis")
        public long nextStartedMillis;
        @JsonProperty("gap_ms")
        public long gapMs;
        @JsonProperty("ceiling_ms")
        public long ceilingMs;
        /** The gap overlaps the fault window. */
        @JsonProperty("in_fault_window")
        public boolean inFaultWindow;
    }

    /** Observed spacing after failed attempt n against the policy's ceiling for n. */
    public static final class AttemptSpacing {
        public int attempt;
        @JsonProperty("ceiling_ms")
        public long ceilingMs;
        public int gaps;
        @JsonProperty("min_ms")
        public long minMs;
        @JsonProperty("median_ms")
        public long medianMs;
        @JsonProperty("p90_ms")
        public long p90Ms;
        @JsonProperty("max_ms")
        public long maxMs;
        @JsonProperty("mean_ms")
        public double meanMs;
        /** Gaps at or under the ceiling itself (no scheduling slack). */
        @JsonProperty("within_ceiling")
        public int withinCeiling;
        /** Over ceiling + slack and clear of the fault window: the policy was not kept. */
        @JsonProperty("over_limit")
        public int overLimit;
        /** Over ceiling + slack but overlapping the fault window: the retry waited out the outage. */
        @JsonProperty("delayed_by_outage")
        public int delayedByOutage;
    }

    /** Backoff behaviour: job_started spacing of retried jobs against the configured policy. */
    public static final class Backoff {
        @JsonProperty("initial_ms")
        public long initialMs;
        @JsonProperty("max_ms")
        public long maxMs;
        public double multiplier;
        public String jitter = "full";
        @JsonProperty("promote_interval_ms")
        public long promoteIntervalMs;
        /** Allowed beyond the ceiling: promote interval + scheduling. */
        @JsonProperty("slack_ms")
        public long slackMs;
        @JsonProperty("fail_share")
        public double failShare;
        /** fail jobs (payload failures, maxAttempts) offered / acknowledged / succeeded. */
        @JsonProperty("fail_jobs_offered")
        public int failJobsOffered;
        @JsonProperty("fail_jobs_acknowledged")
        public int failJobsAcknowledged;
        @JsonProperty("fail_jobs_succeeded")
        public int failJobsSucceeded;
        @JsonProperty("fail_job_failures")
        public int failJobFailures;
        @JsonProperty("fail_job_max_attempts")
        public int failJobMaxAttempts;
        /** Jobs with at least one measured gap. */
        @JsonProperty("retried_jobs")
        public int retriedJobs;
        public int gaps;
        /** [from, to] epoch ms: fault until max(next drill action, recovery, backlog drained) + 1 s; to = -1 if not recovered. */
        @JsonProperty("fault_window_from_millis")
        public long faultWindowFromMillis;
        @JsonProperty("fault_window_to_millis")
        public long faultWindowToMillis;
        /** The most jobs waiting to start at once before the fault (at least 1): the backlog's normal ({@link Backlog}). */
        @JsonProperty("backlog_normal")
        public int backlogNormal;
        /** Epoch ms when the backlog the fault left was back to normal (-1 if not recovered). */
        @JsonProperty("backlog_drained_millis")
        public long backlogDrainedMillis = -1;
        /** Gaps that began in the load's first 2 s, not measured. */
        @JsonProperty("warm_up_gaps")
        public int warmUpGaps;
        /** Gaps over ceiling + slack outside the fault window (should be 0). */
        @JsonProperty("over_limit")
        public int overLimit;
        /** Gaps over ceiling + slack that overlap the fault window (expected during an outage). */
        @JsonProperty("delayed_by_outage")
        public int delayedByOutage;
        @JsonProperty("by_attempt")
        public List<AttemptSpacing> byAttempt = new ArrayList<>();
        /** The longest gaps over ceiling + slack (at most 10), in or out of the fault window. */
        @JsonProperty("worst_gaps")
        public List<Gap> worstGaps = new ArrayList<>();

        /** One line for logs and test output. */
        public String oneLine() {
            StringBuilder b = new StringBuilder();
            b.append(gaps).append(" gaps of ").append(retriedJobs).append(" retried jobs (").append(warmUpGaps)
                    .append(" in the warm-up not measured)");
            for (AttemptSpacing a : byAttempt) {
                b.append(String.format(java.util.Locale.ROOT, "; after attempt %d (ceiling %d ms): min %d / median %d / max %d ms",
                        a.attempt, a.ceilingMs, a.minMs, a.medianMs, a.maxMs));
            }
            b.append("; over ceiling+").append(slackMs).append(" ms: ").append(overLimit).append(" outside the fault window, ")
                    .append(delayedByOutage).append(" delayed by outage");
            return b.toString();
        }
    }

    /** One master kill of a soak: when, on which node, whether a CPU hog ran, and what it cost. */
    public static final class Kill {
        public int index;
        @JsonProperty("at_millis")
        public long atMillis;
        @JsonProperty("cpu_hog")
        public boolean cpuHog;
        public String master;
        public int lost;
        public int duplicated;

        public Kill() {
        }

        Kill(int index, long atMillis, boolean cpuHog, String master) {
            this.index = index;
            this.atMillis = atMillis;
            this.cpuHog = cpuHog;
            this.master = master;
        }
    }

    /**
     * One episode of one alert of the project's rules, as the drill's Prometheus evaluated it:
     * times in ms after the fault; pending null when it fired at once (no {@code for:}), firing
     * null when it only went pending, resolved null when it was still active at the drill's end.
     */
    public static final class Alert {
        public String name;
        public String severity;
        /** The alert's other labels, e.g. {@code {queue="drill"}}; empty for an alert over all pods. */
        public String labels;
        @JsonProperty("pending_at_ms")
        public Long pendingAtMs;
        @JsonProperty("firing_at_ms")
        public Long firingAtMs;
        @JsonProperty("resolved_at_ms")
        public Long resolvedAtMs;

        public boolean fired() {
            return firingAtMs != null;
        }
    }

    /** A cluster drill: one shard (a master's slots and its replica) as it was at the load's start, and what the drill cost it. */
    public static final class Shard {
        /** shard-N, N by first slot: a name that outlives the failover that changes its master. */
        public String name;
        public String slots;
        @JsonProperty("master_at_start")
        public String masterAtStart;
        @JsonProperty("master_at_end")
        public String masterAtEnd;
        /** Its master was killed (cluster-master-kill) or it gave the moved slot away (cluster-resharding). */
        public boolean faulted;
        /** The replica that took over, and ms from the kill until it answered ROLE master serving the shard's slots. */
        public String promoted;
        @JsonProperty("promotion_ms")
        public long promotionMs = -1;
        public List<String> queues = new ArrayList<>();
        /** Longest gap between two consecutive 2xx answers on one of its queues (load start + warm-up .. load stop). */
        @JsonProperty("downtime_seconds")
        public double downtimeSeconds;
        /** Fault -> every queue of the shard completed a job that was acknowledged after the fault; -1 if one never did. */
        @JsonProperty("recovery_seconds")
        public double recoverySeconds = -1;
        /** The longest gap between consecutive recorded outcomes (success, retry, dead-letter) on one of its queues. */
        @JsonProperty("longest_outcome_gap_ms")
        public long longestOutcomeGapMs;
    }

    /** A cluster drill: one queue's slot, shard and longest stalls. Gap starts are in ms after the fault. */
    public static final class QueueGap {
        public String queue;
        public int slot;
        public String shard;
        /** Its shard is the one the drill faulted (killed master; resharding: the moved queue itself). */
        @JsonProperty("shard_faulted")
        public boolean shardFaulted;
        public int acknowledged;
        public int completed;
        @JsonProperty("longest_ack_gap_ms")
        public long longestAckGapMs;
        @JsonProperty("ack_gap_from_ms")
        public long ackGapFromMs;
        @JsonProperty("longest_outcome_gap_ms")
        public long longestOutcomeGapMs;
        @JsonProperty("outcome_gap_from_ms")
        public long outcomeGapFromMs;
        /** Jobs of this queue acknowledged after the fault (resharding: the move) that then succeeded. */
        @JsonProperty("completed_after_fault")
        public int completedAfterFault;
    }

    public String drill;
    public String topology;
    public String description;
    public double rate;
    @JsonProperty("duration_seconds")
    public long durationSeconds;
    public long seed;
    @JsonProperty("downtime_seconds")
    public double downtimeSeconds;
    @JsonProperty("recovery_seconds")
    public double recoverySeconds = -1;
    public boolean recovered;
    public int offered;
    public int acknowledged;
    public int unacknowledged;
    public int completed;
    /** Of the completed: started per the logs and succeeded per the store, the success line lost with a killed worker. */
    @JsonProperty("success_lines_lost")
    public int successLinesLost;
    public int lost;
    @JsonProperty("lost_ids")
    public List<String> lostIds = new ArrayList<>();
    @JsonProperty("lost_states")
    public Map<String, String> lostStates = new LinkedHashMap<>();
    /** Per lost id: when its 2xx came, in ms after the fault (negative: before it). */
    @JsonProperty("lost_acked_after_fault_ms")
    public Map<String, Long> lostAckedAfterFaultMs = new LinkedHashMap<>();
    /** lagging-replica: the node Sentinel promoted, and whether it was the one held back. */
    public String promoted;
    @JsonProperty("promoted_laggard")
    public Boolean promotedLaggard;
    /** master-kill --kills N: one row per kill. */
    public List<Kill> kills = new ArrayList<>();
    @JsonProperty("lost_in_partition_window")
    public int lostInPartitionWindow;
    public int duplicated;
    @JsonProperty("executed_unacknowledged")
    public int executedUnacknowledged;
    @JsonProperty("idempotency_conflicts")
    public int idempotencyConflicts;
    @JsonProperty("replayed_answers")
    public int replayedAnswers;
    @JsonProperty("job_retries")
    public int jobRetries;
    /**
     * Worker log events that put a job back or ended it, by reason: retry_scheduled (handler
     * failed), reclaimed, dead_lettered:REASON, released (shutdown), duplicate, unrecorded.
     */
    @JsonProperty("job_retries_by_reason")
    public Map<String, Integer> jobRetriesByReason = new LinkedHashMap<>();
    /** job_retry_scheduled errors with digits folded to '#', e.g. "planned failure # of #". */
    @JsonProperty("job_retry_errors")
    public Map<String, Integer> jobRetryErrors = new LinkedHashMap<>();
    @JsonProperty("redis_retries")
    public long redisRetries;
    @JsonProperty("redis_retries_by_operation")
    public Map<String, Long> redisRetriesByOperation = new LinkedHashMap<>();
    @JsonProperty("redis_errors")
    public long redisErrors;
    @JsonProperty("redis_errors_by_kind")
    public Map<String, Long> redisErrorsByKind = new LinkedHashMap<>();
    /** process -> operation -> retries, process -> kind -> errors: who retried what. */
    @JsonProperty("redis_retries_by_process")
    public Map<String, Map<String, Long>> redisRetriesByProcess = new LinkedHashMap<>();
    @JsonProperty("redis_errors_by_process")
    public Map<String, Map<String, Long>> redisErrorsByProcess = new LinkedHashMap<>();
    public Backoff backoff;
    public Map<String, Double> metrics = new LinkedHashMap<>();
    @JsonProperty("failed_answers")
    public int failedAnswers;
    @JsonProperty("failed_answers_after_fault")
    public long failedAnswersAfterFault;
    @JsonProperty("answers_by_status")
    public Map<String, Integer> answersByStatus = new LinkedHashMap<>();
    @JsonProperty("submit_latency_ms")
    public Map<String, Long> submitLatencyMs = new LinkedHashMap<>();
    @JsonProperty("sentinel_events")
    public List<String> sentinelEvents = new ArrayList<>();
    @JsonProperty("fault_at_millis")
    public long faultAtMillis;
    @JsonProperty("switch_master_at_millis")
    public long switchMasterAtMillis = -1;
    @JsonProperty("load_start_millis")
    public long loadStartMillis;
    @JsonProperty("load_stop_millis")
    public long loadStopMillis;
    /** Cluster drills: per shard and per queue; empty otherwise. */
    public List<Shard> shards = new ArrayList<>();
    public List<QueueGap> queues = new ArrayList<>();
    /** cluster-resharding: the slot moved and how many keys went with it; -1 otherwise. */
    @JsonProperty("moved_slot")
    public int movedSlot = -1;
    @JsonProperty("moved_keys")
    public int movedKeys;
    /** Cluster drills: the services' redis_error lines by the reply's first word (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, ...). */
    @JsonProperty("redis_error_replies")
    public Map<String, Integer> redisErrorReplies = new LinkedHashMap<>();
    /** Cluster drills: failover lines from the redis nodes' logs, "node-N: line". */
    @JsonProperty("cluster_events")
    public List<String> clusterEvents = new ArrayList<>();
    public List<Mark> marks = new ArrayList<>();
    /** With --observe: every alert episode from load start to the drill's end; null when not observed. */
    public List<Alert> alerts;
    /** With --observe: the alerts this drill must fire, and those it may fire (AlertExpectations). */
    @JsonProperty("alerts_expected")
    public List<String> alertsExpected = new ArrayList<>();
    @JsonProperty("alerts_allowed")
    public List<String> alertsAllowed = new ArrayList<>();
    public List<String> notes = new ArrayList<>();
    @JsonProperty("failure_reasons")
    public List<String> failureReasons = new ArrayList<>();
    public String error;
    public boolean passed;
    public Timeline timeline;
}

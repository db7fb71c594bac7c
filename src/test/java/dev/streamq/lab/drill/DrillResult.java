package dev.streamq.lab.drill;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one drill measured; serialized as-is into report.json (snake_case names). */
public final class DrillResult {

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
    public int lost;
    @JsonProperty("lost_ids")
    public List<String> lostIds = new ArrayList<>();
    @JsonProperty("lost_states")
    public Map<String, String> lostStates = new LinkedHashMap<>();
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
    @JsonProperty("redis_retries")
    public long redisRetries;
    @JsonProperty("redis_retries_by_operation")
    public Map<String, Double> redisRetriesByOperation = new LinkedHashMap<>();
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
    public List<Mark> marks = new ArrayList<>();
    public List<String> notes = new ArrayList<>();
    @JsonProperty("failure_reasons")
    public List<String> failureReasons = new ArrayList<>();
    public String error;
    public boolean passed;
    public Timeline timeline;
}

package dev.streamq.lab.drill;

import dev.streamq.lab.Await;
import dev.streamq.lab.LogEvent;
import dev.streamq.lab.ServiceLog;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.log.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the workers' logs say happened to the drill's jobs: job_succeeded and job_started per
 * job id with their times, retries and hand-backs by reason.
 *
 * <p>Why from logs: a lost job is one the API acknowledged that no worker ever ran; asking the
 * app "is it succeeded?" would trust the very store whose failover is under test.
 */
final class GroundTruth {

    static final String QUEUE = "drill";

    /** The queues whose jobs count: the drill's one queue, or a cluster drill's queues on every shard. */
    private final Set<String> queues;
    private final Set<String> ignored;
    final Map<String, Integer> succeeded = new HashMap<>();
    /** job id -> its queue, for every job that succeeded. */
    final Map<String, String> queueOf = new HashMap<>();
    final Map<String, Integer> started = new HashMap<>();
    final Map<String, Long> firstSuccess = new HashMap<>();
    /** job id -> attempt number -> earliest job_started time. */
    final Map<String, TreeMap<Integer, Long>> startsByAttempt = new HashMap<>();
    /** job id -> attempts whose handler failed with a retry scheduled (job_retry_scheduled). */
    final Map<String, Set<Integer>> retryScheduled = new HashMap<>();
    /**
     * queue -> when its attempts' outcomes were written to Redis (job_succeeded,
     * job_retry_scheduled, job_dead_lettered: each logged after its script returned): the queue
     * being served, fail jobs included.
     */
    final Map<String, List<Long>> recordedOutcomes = new HashMap<>();
    /** retry_scheduled, reclaimed, dead_lettered:REASON (the line's reason field), released, duplicate, unrecorded -> count. */
    final Map<String, Integer> byReason = new TreeMap<>();
    /** job_retry_scheduled error, digits folded -> count. */
    final Map<String, Integer> retryErrors = new TreeMap<>();

    GroundTruth() {
        this(Set.of(QUEUE));
    }

    GroundTruth(Set<String> queues) {
        this(queues, Set.of());
    }

    /** {@code ignored}: ids of jobs the drill ran itself before the load (a cluster drill's first job per queue). */
    GroundTruth(Set<String> queues, Set<String> ignored) {
        this.queues = Set.copyOf(queues);
        this.ignored = Set.copyOf(ignored);
    }

    /** Reads one worker event into the truth. */
    void accept(LogEvent e) {
        String id = e.jobId();
        if (id == null || !queues.contains(e.queue()) || ignored.contains(id)) {
            return;
        }
        int attempt = e.attempt();
        Event event = Event.named(e.event()).orElse(null);
        if (event == null) {
            return;
        }
        switch (event) {
            case JOB_SUCCEEDED -> {
                recorded(e);
                succeeded.merge(id, 1, Integer::sum);
                firstSuccess.merge(id, e.timeMillis(), Math::min);
                queueOf.put(id, e.queue());
            }
            case JOB_STARTED -> {
                started.merge(id, 1, Integer::sum);
                if (attempt > 0) {
                    startsByAttempt.computeIfAbsent(id, k -> new TreeMap<>()).merge(attempt, e.timeMillis(), Math::min);
                }
            }
            case JOB_RETRY_SCHEDULED -> {
                recorded(e);
                byReason.merge("retry_scheduled", 1, Integer::sum);
                retryErrors.merge(String.valueOf(e.error() == null ? "?" : e.error()).replaceAll("\\d+", "#"), 1,
                        Integer::sum);
                if (attempt > 0) {
                    retryScheduled.computeIfAbsent(id, k -> new HashSet<>()).add(attempt);
                }
            }
            case JOB_DEAD_LETTERED -> {
                recorded(e);
                byReason.merge("dead_lettered:" + (e.reason() == null ? "unknown" : e.reason()), 1, Integer::sum);
            }
            case JOB_RECLAIMED -> byReason.merge("reclaimed", 1, Integer::sum);
            case JOB_RELEASED -> byReason.merge("released", 1, Integer::sum);
            case JOB_DUPLICATE -> byReason.merge("duplicate", 1, Integer::sum);
            case JOB_UNRECORDED -> byReason.merge("unrecorded", 1, Integer::sum);
            default -> {
                // job_failed precedes each job_retry_scheduled or job_dead_lettered (counted there);
                // job_enqueued (api) and the rest are not a worker outcome
            }
        }
    }

    private void recorded(LogEvent e) {
        recordedOutcomes.computeIfAbsent(e.queue(), q -> new ArrayList<>()).add(e.timeMillis());
    }

    /** Reads the workers' logs on as they grow, into one {@link GroundTruth}. */
    static final class Reader {
        private final List<ServiceLog> logs = new ArrayList<>();
        private final GroundTruth truth;
        private final Journal journal;
        private final Duration timeout;

        Reader(List<ServiceProcess> workers, Journal journal, Duration timeout) {
            this(workers, journal, timeout, Set.of(QUEUE), Set.of());
        }

        Reader(List<ServiceProcess> workers, Journal journal, Duration timeout, Set<String> queues, Set<String> ignored) {
            this.truth = new GroundTruth(queues, ignored);
            for (ServiceProcess worker : workers) {
                logs.add(new ServiceLog(worker.logFile(), Set.of()));
            }
            this.journal = journal;
            this.timeout = timeout;
        }

        /** Reads on until every acknowledged job has succeeded or the completion timeout passes. */
        GroundTruth awaitCompletion(Set<String> acked) {
            boolean complete = Await.holds(timeout, Duration.ofSeconds(1), () -> {
                for (ServiceLog log : logs) {
                    log.readOn().forEach(truth::accept);
                }
                return truth.succeeded.keySet().containsAll(acked);
            });
            if (complete) {
                journal.say("every acknowledged job succeeded");
            } else {
                long missing = acked.stream().filter(id -> !truth.succeeded.containsKey(id)).count();
                journal.say(missing + " acknowledged jobs not succeeded after " + timeout.toSeconds() + " s");
            }
            return truth;
        }
    }
}

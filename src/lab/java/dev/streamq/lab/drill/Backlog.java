package dev.streamq.lab.drill;

import dev.streamq.lab.LoadGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The jobs an outage leaves waiting: acknowledged but not started yet. While Redis has no
 * master the load client holds its refused submits and sends them again when one is back, so
 * a recovery is followed by a burst of new jobs (in the mvp-master-kill short drill 560 in
 * 2 s, 14 s of load); a retry that falls due then is promoted to the tail of the ready stream,
 * behind that burst, and starts when the workers reach it. That wait is the outage's, not the
 * retry policy's: the fault window lasts until the backlog is back to what it was before the
 * fault.
 */
final class Backlog {

    /** How often the waiting jobs are counted. */
    static final long STEP_MS = 50;

    /** Acknowledgement and first start (Long.MAX_VALUE: never started) of each job. */
    private final List<long[]> jobs;

    Backlog(List<long[]> ackAndStart) {
        this.jobs = List.copyOf(ackAndStart);
    }

    static Backlog of(List<LoadGenerator.Submission> subs, GroundTruth truth) {
        List<long[]> jobs = new ArrayList<>();
        for (LoadGenerator.Submission s : subs) {
            if (s.ackMillis() < 0 || s.jobId() == null) {
                continue;
            }
            TreeMap<Integer, Long> starts = truth.startsByAttempt.get(s.jobId());
            jobs.add(new long[] {s.ackMillis(), starts == null ? Long.MAX_VALUE : starts.firstEntry().getValue()});
        }
        return new Backlog(jobs);
    }

    /** Jobs acknowledged at or before {@code t} and not started by then. */
    int waitingAt(long t) {
        int n = 0;
        for (long[] j : jobs) {
            if (j[0] <= t && j[1] > t) {
                n++;
            }
        }
        return n;
    }

    /** The most jobs that waited at once in [from, to), counted every {@link #STEP_MS}; at least 1. */
    int normal(long from, long to) {
        int most = 1;
        for (long t = from; t < to; t += STEP_MS) {
            most = Math.max(most, waitingAt(t));
        }
        return most;
    }

    /**
     * When the backlog of [from, until) had drained: the first count, from its largest one on,
     * at which no more than {@code normal} jobs wait; {@code from} if it never went above
     * {@code normal}, {@code until} if it never came back down.
     */
    long drainedAt(long from, long until, int normal) {
        long peakAt = from;
        int peak = 0;
        for (long t = from; t < until; t += STEP_MS) {
            int n = waitingAt(t);
            if (n > peak) {
                peak = n;
                peakAt = t;
            }
        }
        if (peak <= normal) {
            return from;
        }
        for (long t = peakAt; t < until; t += STEP_MS) {
            if (waitingAt(t) <= normal) {
                return t;
            }
        }
        return until;
    }
}

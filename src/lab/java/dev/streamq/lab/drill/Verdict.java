package dev.streamq.lab.drill;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the drill passed: no acknowledged job lost (partition: none outside the window a
 * partitioned master may still acknowledge in), service recovered, no 5xx but 503, every key
 * answered with one id, something acknowledged, for lagging-replica that the laggard was
 * promoted, and with --observe that the drill's alerts fired and no other ({@link AlertExpectations}).
 */
final class Verdict {

    private Verdict() {
    }

    /** The failure reasons; empty when the drill passed. {@code windowMillis}: the partition's min-replicas-max-lag. */
    static List<String> reasons(Scenario scenario, DrillResult r, long windowMillis) {
        List<String> why = new ArrayList<>();
        if (scenario == Scenario.PARTITION && r.lost > 0) {
            int outside = 0;
            for (String id : r.lostIds) {
                long after = r.lostAckedAfterFaultMs.getOrDefault(id, -r.faultAtMillis);
                if (after < 0 || after > windowMillis) {
                    outside++;
                }
            }
            r.lostInPartitionWindow = r.lost - outside;
            if (outside > 0) {
                why.add(outside + " acknowledged jobs lost outside the partition window");
            }
        } else if (r.lost > 0) {
            why.add(r.lost + " acknowledged jobs lost");
        }
        if (!r.recovered) {
            why.add("throughput did not recover");
        }
        int serverErrors = 0;
        for (Map.Entry<String, Integer> e : r.answersByStatus.entrySet()) {
            // 503 is the promised "retry later"; any other 5xx is a bug the client cannot act on.
            if (e.getKey().startsWith("5") && !e.getKey().equals("503")) {
                serverErrors += e.getValue();
            }
        }
        if (serverErrors > 0) {
            why.add(serverErrors + " answers were a 5xx other than 503");
        }
        if (r.idempotencyConflicts > 0) {
            why.add(r.idempotencyConflicts + " keys answered with different job ids");
        }
        if (r.acknowledged == 0) {
            why.add("nothing acknowledged");
        }
        if (r.alerts != null) {
            why.addAll(AlertExpectations.of(scenario).breaches(r.alerts));
        }
        if (scenario == Scenario.LAGGING_REPLICA && !Boolean.TRUE.equals(r.promotedLaggard)) {
            why.add("Sentinel did not promote the lagging replica, so the drill did not test its window");
        }
        return why;
    }

    /** The drill's closing line. */
    static String summary(DrillResult r) {
        return String.format(Locale.ROOT, "%s: ack=%d completed=%d lost=%d dup=%d downtime=%.2fs recovery=%.2fs",
                r.passed ? "PASSED" : "FAILED " + r.failureReasons, r.acknowledged, r.completed, r.lost, r.duplicated,
                r.downtimeSeconds, r.recoverySeconds);
    }
}

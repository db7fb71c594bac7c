package dev.streamq.lab.drill;

import dev.streamq.lab.SentinelNode;
import dev.streamq.lab.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The failover as the sentinels logged it, with their own millisecond timestamps. */
final class SentinelEvents {

    private static final Set<String> REPORTED = Set.of("+sdown", "+odown", "+switch-master", "+failover-end",
            "+convert-to-slave", "-sdown", "+elected-leader");

    private SentinelEvents() {
    }

    /** Every reported event of every sentinel, as "time sentinel type detail" lines, in time order. */
    static List<String> lines(Topology topology) {
        List<String> events = new ArrayList<>();
        for (SentinelNode s : topology.sentinels()) {
            try {
                for (SentinelNode.Event e : s.events()) {
                    if (REPORTED.contains(e.type())) {
                        events.add(e.time() + " " + s.name() + " " + e.type() + " " + e.detail());
                    }
                }
            } catch (RuntimeException ignored) {
                // unreadable log: report what the others saw
            }
        }
        events.sort(null);
        return events;
    }

    /** When the first sentinel logged +switch-master (epoch ms), or -1. */
    static long firstSwitchMaster(Topology topology) {
        return topology.sentinels().stream().flatMap(s -> s.events("+switch-master").stream())
                .mapToLong(e -> e.time().toEpochMilli()).min().orElse(-1);
    }
}

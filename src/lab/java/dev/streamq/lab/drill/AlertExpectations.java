package dev.streamq.lab.drill;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which of the project's alerts each drill must fire and which it may: with {@code --observe} a
 * drill fails when an expected alert does not fire, or when one fires that has no business
 * firing. Pending is reported, not judged: NoRedisMaster ({@code max} over pods) goes pending
 * only when every pod has noticed the master's loss at one scrape, which neither a 2-3 s
 * failover nor a partition always gives (ShortDrillsIT failed on it in both while it was
 * required); its {@code for: 30s} is what keeps a normal failover from paging.
 */
final class AlertExpectations {

    static final String FAILOVER = "RedisFailover";
    static final String RECLAIMED = "JobsReclaimed";
    static final String REFUSED = "RequestsRefused";
    /** A re-delivery after a reclaim or a failover is what the idempotency guard is for. */
    static final String DUPLICATES = "DuplicatesSeen";

    /**
     * @param mustFire alerts the drill's fault must fire
     * @param mayFire alerts the fault can honestly fire
     */
    record Plan(Set<String> mustFire, Set<String> mayFire) {

        /** Why the alerts that fired break the plan; empty when they keep it. */
        List<String> breaches(List<DrillResult.Alert> alerts) {
            List<String> why = new ArrayList<>();
            for (String name : mustFire) {
                if (alerts.stream().noneMatch(a -> a.name.equals(name) && a.fired())) {
                    why.add("expected alert " + name + " did not fire");
                }
            }
            alerts.stream().filter(DrillResult.Alert::fired).map(a -> a.name)
                    .filter(name -> !mustFire.contains(name) && !mayFire.contains(name)).distinct()
                    .forEach(name -> why.add("alert " + name + " fired with no business firing in this drill"));
            return why;
        }
    }

    private AlertExpectations() {
    }

    static Plan of(Scenario scenario) {
        return switch (scenario) {
            // A master change: every pod sees it, and jobs a worker read before the kill may be
            // reclaimed and re-delivered. Producers get 503 only when the failover outlasts the
            // API's retry budget (3 s): a quick one holds their submits instead (seen both ways in
            // master-kill).
            case MASTER_KILL, MVP_MASTER_KILL, SENTINEL_KILL, LAGGING_REPLICA ->
                    new Plan(Set.of(FAILOVER), Set.of(REFUSED, RECLAIMED, DUPLICATES));
            // The master is cut off from every pod until Sentinel promotes another (down-after +
            // election, more than the retry budget): submits time out or find too few replicas, 503.
            case PARTITION -> new Plan(Set.of(FAILOVER, REFUSED), Set.of(RECLAIMED, DUPLICATES));
            // The killed worker's pending jobs are reclaimed by the other; a job it had finished
            // but not acknowledged runs again and is caught. One worker stays up: WorkersDown stays quiet.
            case WORKER_KILL -> new Plan(Set.of(RECLAIMED), Set.of(DUPLICATES));
            // Producers retry against the restarted API with their keys; Redis never changes. The
            // lab's clients reach the new process as soon as its port opens (no readiness-gated
            // Service in front): a cold JVM under that retry storm may answer 503 (timeout).
            case API_KILL -> new Plan(Set.of(), Set.of(REFUSED));
            // 200 ms per round trip slows everything and breaks nothing.
            case LATENCY -> new Plan(Set.of(), Set.of());
            // The master watch asks every shard's master and counts a shard whose master changed
            // (same slots, another node) as a failover: RedisFailover must fire, as for Sentinel. The
            // rules have no shard label: which shard failed is in the report (shards, queues) and in
            // the redis_failover line. The killed shard refuses writes until its old master rejoins.
            case CLUSTER_MASTER_KILL -> new Plan(Set.of(FAILOVER), Set.of(REFUSED, RECLAIMED, DUPLICATES));
            // A slot move is no failover: no master changes. Calls caught between the two owners
            // (TRYAGAIN for a script whose keys are split) are retried, and may outlast the API's budget.
            case CLUSTER_RESHARDING -> new Plan(Set.of(), Set.of(REFUSED, RECLAIMED, DUPLICATES));
        };
    }
}

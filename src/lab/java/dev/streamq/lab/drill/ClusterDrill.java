package dev.streamq.lab.drill;

import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import dev.streamq.lab.Lab;
import dev.streamq.lab.LoadGenerator;
import dev.streamq.lab.LogEvent;
import dev.streamq.lab.RedisCluster;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.ServiceLog;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.log.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A fault drill on a {@link RedisCluster}: the cluster, an API and two workers, load over 12
 * queues (4 on each shard), one fault on one shard after 30 % of the run, then the same ground
 * truth, losses, answers, metrics and backoff as a Sentinel {@link Drill}, plus what only a
 * cluster has to show: per shard its downtime and recovery, per queue its longest stall
 * ({@link QueueGaps}).
 *
 * <ul>
 *   <li>cluster-master-kill: kill -9 the master of shard {@code --shard} (default 0), await its
 *       replica's promotion, restart the killed node and await its rejoin as a replica.</li>
 *   <li>cluster-resharding: move the slot of the first queue of shard {@code --shard} to the
 *       next shard's master, keys and all, under load.</li>
 * </ul>
 */
final class ClusterDrill {

    /** Queues per shard: 12 over 3 shards. */
    static final int QUEUES_PER_SHARD = 4;
    /** Client threads per queue: a queue whose shard stalls holds only its own (LoadGenerator). */
    static final int THREADS_PER_QUEUE = 16;
    /**
     * cluster-resharding: pause after each MIGRATE batch, so the slot stays split between the two
     * masters (ASK for moved keys, TRYAGAIN for a script over both) for about a second of load.
     */
    static final int MIGRATE_PAUSE_MS = 100;
    /** Redis node log lines that tell a cluster failover's story. */
    private static final List<String> NODE_LOG_MARKERS = List.of("FAIL message received", "Start of election",
            "Failover election won", "configEpoch set", "Cluster state changed", "Configuration change detected",
            "Connection with master lost", "MASTER <-> REPLICA sync: Finished");

    private final Scenario scenario;
    private final DrillConfig config;
    private final Path dir;
    private final Journal journal;

    private ClusterDrill(Scenario scenario, DrillConfig config, Path dir) {
        this.scenario = scenario;
        this.config = config;
        this.dir = dir.toAbsolutePath();
        this.journal = new Journal(scenario.id(), config.log);
    }

    /** Runs the drill in {@code dir}, which {@link Drill#run} emptied. */
    static DrillResult run(Scenario scenario, DrillConfig config, Path dir) {
        return new ClusterDrill(scenario, config, dir).run();
    }

    private DrillResult run() {
        DrillResult r = DrillResult.of(scenario, config);
        RedisCluster cluster = null;
        Lab lab = null;
        DrillMetrics metrics = null;
        DrillPrometheus prometheus = null;
        LoadGenerator load = null;
        try {
            Files.createDirectories(dir);
            journal.say("starting CLUSTER topology in " + dir);
            cluster = RedisCluster.start(dir.resolve("redis"), new RedisCluster.Options().migratePauseMillis(MIGRATE_PAUSE_MS));
            List<RedisCluster.Shard> shards = cluster.shards();
            if (config.shard < 0 || config.shard >= shards.size()) {
                throw new IllegalArgumentException("--shard must be 0.." + (shards.size() - 1));
            }
            List<String> queues = cluster.queuesOnEveryShard(GroundTruth.QUEUE, QUEUES_PER_SHARD);
            Map<String, Integer> slotOf = new LinkedHashMap<>();
            queues.forEach(q -> slotOf.put(q, RedisCluster.slotOfQueue(q)));
            describeShards(r, cluster, shards, queues, slotOf);
            RedisCluster started = cluster;
            lab = Lab.start(cluster, dir, config.jar, 2, DrillDeployment.serviceTuning());
            cluster = null; // the lab owns it now
            journal.say("services ready: " + lab.services());
            // Fresh JVMs on 2 cores: without it a clean-clone CI run saw shard-2, not faulted, go
            // 1.05-1.37 s without a completion 1.3 s into the load, submit p50 560 ms before the fault.
            WarmUp.run(lab.api(), lab.workers(), scenario, config, journal);
            Set<String> firstJobs = firstJobOnEveryQueue(lab, queues);
            metrics = new DrillMetrics(lab.services());
            if (config.observe) {
                prometheus = DrillPrometheus.start(dir.resolve("prometheus"), lab.services(), journal);
            }
            load = new LoadGenerator(lab.api().baseUrl(), queues, r.rate, THREADS_PER_QUEUE, config.seed,
                    Duration.ofSeconds(Math.max(30, config.duration.toSeconds())), DrillLoad.jobBody(scenario, config));
            journal.say(String.format(Locale.ROOT, "load: %.0f jobs/s over %d queues (one every %.0f ms on each), %.0f %% fail jobs",
                    r.rate, queues.size(), queues.size() * 1000 / r.rate, config.failShare * 100));
            if (queues.size() * 1000 / r.rate > QueueGaps.HEALTHY_GAP_LIMIT_MS / 2.0) {
                journal.note("at " + r.rate + " jobs/s a queue gets a job only every " + Math.round(queues.size() * 1000 / r.rate)
                        + " ms: too sparse for the 1 s gap check to mean a stall");
            }
            load.start();
            r.loadStartMillis = load.startMillis();
            long loadEnd = r.loadStartMillis + config.duration.toMillis();
            Await.sleepUntil(r.loadStartMillis + Math.max(5000, config.duration.toMillis() * 3 / 10));
            r.faultAtMillis = System.currentTimeMillis();
            Set<String> faultedQueues = scenario == Scenario.CLUSTER_MASTER_KILL
                    ? killMaster(r, started, shards.get(config.shard))
                    : moveSlot(r, started, shards, queues);
            Await.sleepUntil(Math.max(loadEnd, System.currentTimeMillis() + 5000));
            r.loadStopMillis = System.currentTimeMillis();
            load.stop(Duration.ofSeconds(90));
            journal.mark("load stopped");

            List<LoadGenerator.Submission> subs = load.submissions();
            Set<String> acked = Losses.acknowledged(subs);
            journal.say(acked.size() + " acknowledged of " + subs.size() + " offered; waiting for completion");
            GroundTruth truth = new GroundTruth.Reader(lab.workers(), journal, config.completionTimeout, Set.copyOf(queues),
                    firstJobs).awaitCompletion(acked);
            metrics.finish();
            if (prometheus != null) {
                Drill.observe(scenario, r, prometheus, journal);
            }
            r.shards.forEach(s -> s.masterAtEnd = masterAtEnd(started, s));
            judge(r, lab, metrics, load, truth, slotOf, faultedQueues);
        } catch (IOException | RuntimeException e) {
            Drill.failed(r, journal, e);
        } finally {
            Drill.stopWatching(metrics, prometheus, load);
            if (lab != null) {
                r.clusterEvents = nodeLogLines(((RedisCluster) lab.redis()).nodes());
                // kill -9 the services (a drill has nothing to hand back), then the cluster.
                lab.services().forEach(ServiceProcess::close);
                lab.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            r.marks = journal.marks();
            r.notes = journal.notes();
        }
        return r;
    }

    /**
     * One noop job on every queue, awaited, before the load starts. Why: a queue is born with its
     * first job and a worker takes it up at its next discovery tick (1 s here), and the first
     * requests find the API cold (in one run the first enqueue was logged 2.1 s after the load
     * began). Without this every queue opened the load with 1.0-1.4 s without a completion, which
     * the 1 s gap check read as a stall of every shard. Their ids are left out of the ground
     * truth: they are not the load's.
     */
    private Set<String> firstJobOnEveryQueue(Lab lab, List<String> queues) {
        Set<String> ids = new java.util.HashSet<>();
        for (String queue : queues) {
            JobsClient.Reply reply = lab.jobs().submit(queue, JobsClient.job("noop", Map.of(), null, null), null);
            if (!reply.ok()) {
                throw new IllegalStateException("first job on " + queue + " refused: " + reply);
            }
            ids.add(String.valueOf(reply.body().get("id")));
        }
        for (String id : ids) {
            Object state = lab.jobs().awaitTerminal(id, Duration.ofSeconds(60)).get("state");
            if (!"succeeded".equals(state)) {
                throw new IllegalStateException("first job " + id + " ended " + state);
            }
        }
        journal.say("every queue ran its first job");
        return ids;
    }

    /** The shards as they are at the start, named by first slot, with their queues. */
    private void describeShards(DrillResult r, RedisCluster cluster, List<RedisCluster.Shard> shards, List<String> queues,
            Map<String, Integer> slotOf) {
        for (int i = 0; i < shards.size(); i++) {
            RedisCluster.Shard shard = shards.get(i);
            DrillResult.Shard s = new DrillResult.Shard();
            s.name = "shard-" + i;
            s.slots = String.join(",", shard.slotRanges().stream().map(x -> x[0] == x[1] ? "" + x[0] : x[0] + "-" + x[1]).toList());
            s.masterAtStart = shard.master().name() + ":" + shard.master().port();
            queues.stream().filter(q -> shard.owns(slotOf.get(q))).forEach(s.queues::add);
            r.shards.add(s);
            journal.say(s.name + " slots " + s.slots + " master " + s.masterAtStart + " replica "
                    + shard.replicas().get(0).name() + ": queues " + s.queues);
        }
        // The services keep one key outside every queue's slot: the doorbell their workers wait on.
        int doorbell = RedisCluster.slot("streamq:ready-queues");
        for (int i = 0; i < shards.size(); i++) {
            if (shards.get(i).owns(doorbell)) {
                journal.note("the workers' doorbell key streamq:ready-queues (slot " + doorbell + ") is on shard-" + i);
            }
        }
    }

    /** kill -9 the shard's master, await the promotion, restart the node, await its rejoin; the shard's queues are faulted. */
    private Set<String> killMaster(DrillResult r, RedisCluster cluster, RedisCluster.Shard shard) {
        DrillResult.Shard report = r.shards.get(config.shard);
        report.faulted = true;
        RedisNode master = shard.master();
        journal.mark("kill -9 master " + master.name() + ":" + master.port() + " of " + report.name);
        master.kill9();
        RedisCluster.Promotion promotion = cluster.awaitPromotion(master, shard.firstSlot(), Duration.ofSeconds(60));
        report.promoted = promotion.newMaster().name();
        report.promotionMs = promotion.took().toMillis();
        journal.mark(promotion.newMaster().name() + " promoted for " + report.name + " after " + report.promotionMs + " ms");
        master.restart();
        journal.mark("restarted old master " + master.name());
        cluster.awaitRejoined(master, Duration.ofSeconds(60));
        journal.mark(master.name() + " rejoined as replica of " + promotion.newMaster().name() + "; cluster_state ok everywhere");
        return Set.copyOf(report.queues);
    }

    /** Moves the first queue of shard --shard to the next shard's master; that queue is the faulted one. */
    private Set<String> moveSlot(DrillResult r, RedisCluster cluster, List<RedisCluster.Shard> shards, List<String> queues) {
        DrillResult.Shard from = r.shards.get(config.shard);
        from.faulted = true;
        String queue = from.queues.get(0);
        int slot = RedisCluster.slotOfQueue(queue);
        RedisNode target = shards.get((config.shard + 1) % shards.size()).master();
        r.movedSlot = slot;
        journal.mark("move slot " + slot + " (queue " + queue + ") from " + from.name + " to " + target.name());
        r.movedKeys = cluster.moveSlot(slot, target);
        journal.mark("slot " + slot + " served by " + target.name() + ": " + r.movedKeys + " keys moved");
        journal.note("cluster-resharding: slot " + slot + " of queue " + queue + " moved from " + from.masterAtStart + " to "
                + target.name() + ":" + target.port() + " with CLUSTER SETSLOT IMPORTING/MIGRATING and MIGRATE in batches of "
                + RedisCluster.MIGRATE_BATCH + " keys, " + MIGRATE_PAUSE_MS + " ms apart, " + r.movedKeys + " keys");
        return Set.of(queue);
    }

    private static String masterAtEnd(RedisCluster cluster, DrillResult.Shard s) {
        try {
            RedisNode master = cluster.shardOf(Integer.parseInt(s.slots.split("[-,]")[0])).master();
            return master.name() + ":" + master.port();
        } catch (RuntimeException e) {
            return "unknown: " + e.getMessage();
        }
    }

    private void judge(DrillResult r, Lab lab, DrillMetrics metrics, LoadGenerator load, GroundTruth truth,
            Map<String, Integer> slotOf, Set<String> faultedQueues) {
        List<LoadGenerator.Submission> subs = load.submissions();
        Losses.into(r, subs, truth, List.of(), lab.api().jobs(), r.faultAtMillis);
        metrics.into(r);
        long nextMark = Drill.nextMark(journal, r);
        Answers.into(r, load, truth, nextMark);
        Drill.backoff(r, truth, subs, nextMark, List.of(), config, journal);
        QueueGaps.into(r, subs, truth, slotOf, faultedQueues);
        for (DrillResult.Shard s : r.shards) {
            journal.say(String.format(Locale.ROOT, "%s%s: downtime %.2f s, recovery %s, longest outcome gap %d ms", s.name,
                    s.faulted ? " (faulted)" : "", s.downtimeSeconds, s.recoverySeconds < 0 ? "none" : s.recoverySeconds + " s",
                    s.longestOutcomeGapMs));
        }
        r.redisErrorReplies = redisErrorReplies(lab.services());
        r.failureReasons = new ArrayList<>(Verdict.reasons(scenario, r, 10_000));
        r.failureReasons.addAll(QueueGaps.breaches(scenario, r));
        // The client must follow a redirect itself: a MOVED or ASK that reaches the service's own
        // error handling is a call that failed because the slot moved.
        for (String redirect : List.of("MOVED", "ASK")) {
            if (r.redisErrorReplies.getOrDefault(redirect, 0) > 0) {
                r.failureReasons.add(r.redisErrorReplies.get(redirect) + " redis_error lines with " + redirect
                        + ": the client did not follow the redirect");
            }
        }
        r.passed = r.failureReasons.isEmpty() && r.error == null;
        journal.say(Verdict.summary(r));
    }

    /** The services' redis_error lines by the reply's first word (MOVED, ASK, TRYAGAIN, ...) or a client-side error's text. */
    private static Map<String, Integer> redisErrorReplies(List<ServiceProcess> services) {
        Map<String, Integer> byWord = new TreeMap<>();
        for (ServiceProcess s : services) {
            for (LogEvent e : new ServiceLog(s.logFile(), Set.of(Event.REDIS_ERROR.key())).readOn()) {
                String error = e.error() == null ? "" : e.error().replaceFirst("^ERR \\[\\d+\\] ", "");
                String word = error.split("[ :]", 2)[0];
                // A server reply starts with its code (MOVED, ASK, TRYAGAIN); a client-side refusal
                // (Vert.x: "Keys of command or batch: ... must be in the same slot") by its text up to the ':'.
                byWord.merge(word.matches("[A-Z]{3,}") ? word : error.split("[:\\n]", 2)[0].replaceAll("\\d+", "#"), 1,
                        Integer::sum);
            }
        }
        return byWord;
    }

    /** What the nodes logged of the failover or the move, "node-N: line", in node order. */
    private static List<String> nodeLogLines(List<RedisNode> nodes) {
        List<String> lines = new ArrayList<>();
        for (RedisNode node : nodes) {
            try {
                if (!Files.exists(node.logFile())) {
                    continue;
                }
                for (String line : Files.readAllLines(node.logFile())) {
                    if (NODE_LOG_MARKERS.stream().anyMatch(line::contains)) {
                        lines.add(node.name() + ": " + line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }
}

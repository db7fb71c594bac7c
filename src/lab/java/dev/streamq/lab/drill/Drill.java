package dev.streamq.lab.drill;

import dev.streamq.lab.Await;
import dev.streamq.lab.LoadGenerator;
import dev.streamq.lab.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One fault drill against real processes, start to verdict: the {@link DrillDeployment}
 * (topology + API + 2 workers), a steady {@link LoadGenerator} load, the scenario's
 * {@link Faults fault} after 30 % of the run, heal, then the result from the workers' logs
 * ({@link GroundTruth}), the producers' answers ({@link Answers}), the services' metrics and the
 * sentinels' logs, judged by the {@link Verdict}.
 */
public final class Drill {

    private final Scenario scenario;
    private final DrillConfig config;
    private final Path dir;
    private final Journal journal;

    private Drill(Scenario scenario, DrillConfig config, Path dir) {
        this.scenario = scenario;
        this.config = config;
        this.dir = dir.toAbsolutePath();
        this.journal = new Journal(scenario.id(), config.log);
    }

    /**
     * Runs the drill in {@code dir}, emptied first: Redis would otherwise start from a former
     * run's AOF and the services append to its logs, which the verdict reads as ground truth.
     */
    public static DrillResult run(Scenario scenario, DrillConfig config, Path dir) {
        wipe(dir);
        if (scenario.cluster()) {
            return ClusterDrill.run(scenario, config, dir);
        }
        return new Drill(scenario, config, dir).run();
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the drill's work dir " + dir, e);
        }
    }

    private DrillResult run() {
        DrillResult r = DrillResult.of(scenario, config);
        DrillDeployment deployment = null;
        Faults faults = null;
        DrillMetrics metrics = null;
        DrillPrometheus prometheus = null;
        LoadGenerator load = null;
        try {
            Files.createDirectories(dir);
            deployment = DrillDeployment.start(scenario, config, dir, journal);
            WarmUp.run(deployment.api(), deployment.workers(), scenario, config, journal);
            metrics = new DrillMetrics(deployment.services());
            if (config.observe) {
                prometheus = DrillPrometheus.start(dir.resolve("prometheus"), deployment.services(), journal);
            }
            faults = new Faults(scenario, config, deployment, journal);
            load = new LoadGenerator(deployment.api().baseUrl(), GroundTruth.QUEUE, r.rate, config.clientThreads,
                    config.seed, Duration.ofSeconds(Math.max(30, config.duration.toSeconds())),
                    DrillLoad.jobBody(scenario, config));
            journal.say(String.format(Locale.ROOT, "load: %.0f jobs/s, %.0f %% of them fail jobs (fail %d attempts, maxAttempts %d)",
                    r.rate, config.failShare * 100, DrillLoad.FAIL_FAILURES, DrillLoad.FAIL_MAX_ATTEMPTS));
            load.start();
            r.loadStartMillis = load.startMillis();
            long loadEnd = r.loadStartMillis + config.duration.toMillis();
            Await.sleepUntil(r.loadStartMillis + Math.max(5000, config.duration.toMillis() * 3 / 10));
            r.faultAtMillis = System.currentTimeMillis();
            faults.apply(loadEnd);
            // Keep the load on after the fault action: at least 5 s, at least to the planned end.
            Await.sleepUntil(Math.max(loadEnd, System.currentTimeMillis() + 5000));
            faults.heal();
            r.loadStopMillis = System.currentTimeMillis();
            load.stop(Duration.ofSeconds(90));
            journal.mark("load stopped");

            List<LoadGenerator.Submission> subs = load.submissions();
            Set<String> acked = Losses.acknowledged(subs);
            journal.say(acked.size() + " acknowledged of " + subs.size() + " offered; waiting for completion");
            GroundTruth truth = new GroundTruth.Reader(deployment.workers(), journal, config.completionTimeout)
                    .awaitCompletion(acked);
            metrics.finish();
            if (prometheus != null) {
                observe(r, prometheus);
            }
            judge(r, deployment, faults, metrics, load, truth);
        } catch (IOException | RuntimeException e) {
            failed(r, journal, e);
        } finally {
            stopWatching(metrics, prometheus, load);
            if (deployment != null) {
                r.sentinelEvents = SentinelEvents.lines(deployment.topology());
                if (faults != null) {
                    faults.close();
                }
                deployment.close();
            }
            r.marks = journal.marks();
            r.notes = journal.notes();
        }
        return r;
    }

    /** A drill that could not run to its end: why, in the result and the journal. */
    static void failed(DrillResult r, Journal journal, Exception e) {
        r.error = e.toString();
        r.passed = false;
        journal.say("FAILED with " + e);
        e.printStackTrace(journal.log());
    }

    /** Stops what watched the run (each may not have started). */
    static void stopWatching(DrillMetrics metrics, DrillPrometheus prometheus, LoadGenerator load) {
        if (metrics != null) {
            metrics.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (load != null) {
            load.close();
        }
    }

    private void observe(DrillResult r, DrillPrometheus prometheus) {
        observe(scenario, r, prometheus, journal);
    }

    /** The alerts the drill's Prometheus saw, and what the scenario expects of them. */
    static void observe(Scenario scenario, DrillResult r, DrillPrometheus prometheus, Journal journal) {
        AlertExpectations.Plan plan = AlertExpectations.of(scenario);
        r.alertsExpected = plan.mustFire().stream().sorted().toList();
        r.alertsAllowed = plan.mayFire().stream().sorted().toList();
        r.alerts = prometheus.alerts(r.faultAtMillis);
        journal.note("prometheus: series per pod at the end " + prometheus.seriesByPod() + "; " + prometheus.storage());
        journal.say("alerts: " + (r.alerts.isEmpty() ? "none" : r.alerts.stream()
                .map(a -> a.name + (a.fired() ? " fired" : " pending")).distinct().toList()));
    }

    private void judge(DrillResult r, DrillDeployment deployment, Faults faults, DrillMetrics metrics, LoadGenerator load,
            GroundTruth truth) {
        Topology topology = deployment.topology();
        long fault = r.faultAtMillis;
        long switchMaster = topology.sentinels().isEmpty() ? -1 : SentinelEvents.firstSwitchMaster(topology);
        r.switchMasterAtMillis = switchMaster >= fault ? switchMaster : -1;
        List<LoadGenerator.Submission> subs = load.submissions();
        Losses.into(r, subs, truth, faults.kills(), deployment.api().jobs(), fault);
        r.promoted = faults.promoted();
        r.promotedLaggard = faults.promotedLaggard();
        metrics.into(r);
        long nextMark = nextMark(journal, r);
        Answers.into(r, load, truth, nextMark);

        List<Long> laterKills = faults.kills().stream().map(k -> k.atMillis).filter(at -> at > fault).toList();
        backoff(r, truth, subs, nextMark, laterKills, config, journal);

        r.failureReasons = Verdict.reasons(scenario, r, topology.options().minReplicasMaxLag() * 1000L);
        r.passed = r.failureReasons.isEmpty() && r.error == null;
        journal.say(Verdict.summary(r));
    }

    /**
     * The retry spacing section. The fault window runs from the fault to the drill's next action,
     * the recovery or the draining of the backlog the fault left ({@link Backlog}), whichever is
     * latest, plus 1 s for the retries that waited it out to be promoted.
     */
    static void backoff(DrillResult r, GroundTruth truth, List<LoadGenerator.Submission> subs, long nextMark,
            List<Long> laterKills, DrillConfig config, Journal journal) {
        long fault = r.faultAtMillis;
        long measuredFrom = r.loadStartMillis + BackoffCheck.WARM_UP_MS;
        Backlog backlog = Backlog.of(subs, truth);
        int normal = backlog.normal(measuredFrom, fault);
        long drained = backlog.drainedAt(fault, r.loadStopMillis, normal);
        long windowEnd = r.recovered
                ? Math.max(drained, Math.max(nextMark, fault + (long) (r.recoverySeconds * 1000))) + 1000
                : Long.MAX_VALUE;
        r.backoff = BackoffCheck.measure(truth, measuredFrom, fault, windowEnd, laterKills);
        r.backoff.backlogNormal = normal;
        r.backoff.backlogDrainedMillis = r.recovered ? drained : -1;
        r.backoff.failShare = config.failShare;
        Losses.failJobsInto(r.backoff, subs, truth);
        journal.say("backoff: " + r.backoff.oneLine());
    }

    /** The drill's next action after the fault (latency: "latency removed"; kills: failover seen / restart), else the load's stop. */
    static long nextMark(Journal journal, DrillResult r) {
        return journal.marks().stream().mapToLong(DrillResult.Mark::atMillis).filter(t -> t > r.faultAtMillis + 50)
                .findFirst().orElse(r.loadStopMillis);
    }
}

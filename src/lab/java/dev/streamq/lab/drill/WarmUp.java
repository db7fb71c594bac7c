package dev.streamq.lab.drill;

import dev.streamq.lab.Await;
import dev.streamq.lab.LoadGenerator;
import dev.streamq.lab.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the drill's job mix (fail jobs too, so the retry and promote paths run) on a queue of its
 * own for a few seconds before the measured load, and waits for those jobs to finish. The
 * drill's JVMs start fresh and, on a 2-core box, their first ~4 s (class loading, the JIT on
 * every path at once) made jobs start 0.5 s after submission and retries up to 1.3 s late: a
 * drill measures how the service rides a fault, not how a cold JVM starts. The warm-up's jobs
 * are on {@value #QUEUE}, which the ground truth does not read, and the counters are taken from
 * after it ({@link MetricsScraper} counts from its first scrape).
 */
final class WarmUp {

    static final String QUEUE = "drill-warmup";

    private WarmUp() {
    }

    static void run(ServiceProcess api, List<ServiceProcess> workers, Scenario scenario, DrillConfig config, Journal journal) {
        if (config.warmUp.isZero()) {
            return;
        }
        long began = System.currentTimeMillis();
        try (LoadGenerator load = new LoadGenerator(api.baseUrl(), QUEUE, config.rate, config.clientThreads,
                config.seed + 1, Duration.ofSeconds(30), DrillLoad.jobBody(scenario, config))) {
            load.start();
            Await.sleepUntil(load.startMillis() + config.warmUp.toMillis());
            load.stop(Duration.ofSeconds(30));
            Set<String> acked = load.acknowledgedIds();
            GroundTruth truth = new GroundTruth.Reader(workers, journal, Duration.ofSeconds(60), Set.of(QUEUE),
                    Set.of()).awaitCompletion(acked);
            long done = acked.stream().filter(truth.succeeded::containsKey).count();
            journal.say(String.format(Locale.ROOT, "warm-up: %d jobs on %s over %d s, %d of %d acknowledged succeeded, %.1f s in all",
                    load.submissions().size(), QUEUE, config.warmUp.toSeconds(), done, acked.size(),
                    (System.currentTimeMillis() - began) / 1000.0));
        }
    }
}

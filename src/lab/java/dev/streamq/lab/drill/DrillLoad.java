package dev.streamq.lab.drill;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * The load a drill offers: noop jobs (500 ms sleep jobs in worker-kill, so that a worker dies
 * with jobs in hand) and a seeded share of {@code fail} jobs that fail their first attempts, so
 * that retries and their backoff show under the fault.
 */
final class DrillLoad {

    /** fail jobs: the built-in handler fails the first FAIL_FAILURES attempts, then succeeds (attempt 3 of 5). */
    static final int FAIL_FAILURES = 2;
    static final int FAIL_MAX_ATTEMPTS = 5;

    private DrillLoad() {
    }

    /** Jobs per second offered. */
    static double rate(Scenario scenario, DrillConfig config) {
        // 500 ms sleep jobs: 2 workers x 16 slots do ~60/s at most; offer less so a backlog is the fault's doing.
        return scenario == Scenario.WORKER_KILL ? Math.min(config.rate, 20) : config.rate;
    }

    /** The body of the n-th offered job. */
    static LongFunction<Map<String, Object>> jobBody(Scenario scenario, DrillConfig config) {
        Map<String, Object> base = scenario == Scenario.WORKER_KILL
                ? Map.of("type", "sleep", "payload", Map.of("ms", 500), "maxAttempts", 10)
                : Map.of("type", "noop", "payload", Map.of(), "maxAttempts", 10);
        Map<String, Object> fail = Map.of("type", "fail", "payload", Map.of("failures", FAIL_FAILURES),
                "maxAttempts", FAIL_MAX_ATTEMPTS);
        return n -> isFailJob(config.seed, n, config.failShare) ? fail : base;
    }

    /** Whether the n-th offered job of a run with this seed is a fail job: same answer on every run. */
    static boolean isFailJob(long seed, long n, double share) {
        return share > 0 && new SplittableRandom(seed * 0x9E3779B97F4A7C15L + n).nextDouble() < share;
    }
}

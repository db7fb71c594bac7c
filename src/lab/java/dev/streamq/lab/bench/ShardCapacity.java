package dev.streamq.lab.bench;

import java.util.Locale;

/**
 * The arithmetic from one shard's measured Redis CPU per job to a real cluster: a shard is a
 * master on a core of its own (Redis runs commands on one thread), so at 100 % of that core it
 * does 1e6 / (master µs per job) jobs a second. No one runs a master at 100 %: latency grows
 * as a single-threaded server nears saturation, and a failover or a slot move adds work, so the
 * plan derates it to {@code utilisation} of its core. A replica applies the same writes and
 * needs its own core at {@code rate × replica µs per job}.
 */
record ShardCapacity(double masterMicrosPerJob, double replicaMicrosPerJob, double utilisation) {

    ShardCapacity {
        if (!(masterMicrosPerJob > 0)) {
            throw new IllegalArgumentException("a master's CPU per job must be positive, not " + masterMicrosPerJob);
        }
        if (!(utilisation > 0 && utilisation <= 1)) {
            throw new IllegalArgumentException("utilisation must be in (0, 1], not " + utilisation);
        }
    }

    /** Jobs/s of one shard whose master is at 100 % of one core. */
    double jobsPerSecondAtFullCore() {
        return 1e6 / masterMicrosPerJob;
    }

    /** Jobs/s of one shard planned at {@code utilisation} of its master's core. */
    double jobsPerSecondPlanned() {
        return jobsPerSecondAtFullCore() * utilisation;
    }

    /** Shards (masters) needed for {@code jobsPerSecond}, each at the planned rate; always at least one. */
    int shardsFor(double jobsPerSecond) {
        return Math.max(1, (int) Math.ceil(jobsPerSecond / jobsPerSecondPlanned() - 1e-9));
    }

    /** Cores one replica uses when its master runs at the planned rate. */
    double replicaCoresPerShard() {
        return jobsPerSecondPlanned() * replicaMicrosPerJob / 1e6;
    }

    /** The lines the bench prints and docs/benchmark.md repeats. */
    String describe(double jobsPerSecond) {
        int shards = shardsFor(jobsPerSecond);
        return String.format(Locale.ROOT,
                "master %.0f µs/job -> %,.0f jobs/s per shard at 100 %% of a core, %,.0f at %.0f %%; %,.0f jobs/s needs %d shards"
                        + " (%d master cores); a replica (%.0f µs/job) then uses %.2f of a core, %.1f cores for one replica per shard",
                masterMicrosPerJob, jobsPerSecondAtFullCore(), jobsPerSecondPlanned(), utilisation * 100, jobsPerSecond, shards,
                shards, replicaMicrosPerJob, replicaCoresPerShard(), shards * replicaCoresPerShard());
    }
}

package dev.streamq.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.quarkus.runtime.configuration.MemorySize;
import java.time.Duration;
import java.util.List;

/** Everything streamq reads from configuration; see application.properties for the defaults' reasons. */
@ConfigMapping(prefix = "streamq")
public interface StreamqConfig {

    /** Which part of the application runs in this process. */
    @WithDefault("all")
    Role role();

    Api api();

    Durability durability();

    Worker worker();

    Retention retention();

    Redis redis();

    Queues queues();

    Metrics metrics();

    interface Metrics {
        /**
         * Queues with series of their own (a {@code queue} label) per process; any more share
         * {@code queue="_overflow"} (dev.streamq.metrics.QueueLabels). Each costs ~50 series
         * and ~13 KB of a worker's heap.
         */
        @WithDefault("500")
        int queueSeriesLimit();

        /**
         * The queues that may get series of their own, by name or glob pattern (as
         * streamq.worker.queues); the others go to the overflow series. Every pod then labels the
         * same queues, which "the first met" past the limit does not promise.
         */
        @WithDefault("*")
        List<String> queues();
    }

    interface Queues {
        /**
         * Most queues a deployment holds. A submission that would add one more is refused with a
         * 409 problem: anyone who can submit can create a queue, and every queue costs workers,
         * memory and metric series. Approximate: simultaneous first submissions to new queues
         * may pass it by a few.
         */
        @WithDefault("10000")
        int max();

        /**
         * A queue with nothing waiting, running, scheduled or dead, that took no job for this
         * long, leaves the registry and its empty keys are deleted; a new submission brings it back.
         */
        @WithDefault("24h")
        Duration forgetAfter();

        /** How often a worker looks for idle queues to forget. */
        @WithDefault("1m")
        Duration pruneInterval();
    }

    Auth auth();

    interface Auth {
        /**
         * Callers of the job API must present a bearer token (JWT, verified with
         * mp.jwt.verify.publickey.location) whose groups hold the endpoint's role. Off only by
         * an explicit setting (dev, tests, the lab).
         */
        @WithDefault("true")
        boolean enabled();
    }

    interface Redis {
        /**
         * Liveness fails when the client has talked only to a replica for this long: far past
         * any failover, so its connections are stale and a restart is the cure.
         */
        @WithDefault("2m")
        Duration staleMasterLimit();

        /**
         * Longest wait for a Redis reply, on every call: the reactive client has no deadline of its
         * own (quarkus.redis.timeout applies to the blocking data source only), so without one a
         * stopped or black-holed Redis holds a request for as long as it is gone. A call the
         * server may legitimately hold (XREADGROUP BLOCK, WAIT) gets its hold time on top.
         */
        @WithDefault("2s")
        Duration commandTimeout();
    }

    enum Role {
        API, WORKER, ALL;

        public boolean servesApi() {
            return this != WORKER;
        }

        public boolean runsWorkers() {
            return this != API;
        }
    }

    interface Api {
        /** Largest accepted payload, in bytes of its JSON text. */
        @WithDefault("1048576")
        int maxPayloadBytes();

        /** Most jobs in one batch submission. */
        @WithDefault("1000")
        int maxBatchSize();

        @WithDefault("25")
        int defaultMaxAttempts();

        /** Upper bound a client may ask for in maxAttempts. */
        @WithDefault("100")
        int maxAttemptsLimit();

        /** How long an Idempotency-Key keeps naming its job. */
        @WithDefault("24h")
        Duration idempotencyTtl();

        /** How long a producer call keeps retrying transient Redis errors before answering 503. */
        @WithDefault("3s")
        Duration redisRetryBudget();

        /** Longest request URI (path and query) answered with anything but a 414 problem. */
        @WithDefault("8192")
        int maxUriLength();

        /** How long queue statistics are reused before Redis is asked again. */
        @WithDefault("1s")
        Duration statsCacheTtl();

        /** Most single submits of one queue sent as one script call and one WAIT (GroupCommit); 1 turns grouping off. */
        @WithDefault("100")
        int groupCommitMaxJobs();

        /**
         * Most request-body bytes the API holds at once, each body counted at its Content-Length
         * (a body without one is a 411); one more is a 503 + Retry-After. Not below
         * quarkus.http.limits.max-body-size, or the largest body could never pass.
         */
        @WithDefault("8M")
        MemorySize bodyBudget();

        /** How long a body may take to arrive after its headers; then 408 (HTTP/1.1: the connection closes; HTTP/2: the stream). */
        @WithDefault("30s")
        Duration bodyTimeout();
    }

    interface Durability {
        /** Fewest replicas that must hold a job before POST answers 2xx (WAIT); 0 = no floor. */
        @WithDefault("0")
        int minReplicas();

        /**
         * Behind Sentinel (or a replication client): a 2xx waits for every replica the master
         * lists, so whichever one Sentinel promotes holds the job. false trades that for latency:
         * only min-replicas count.
         */
        @WithDefault("true")
        boolean allReplicas();

        /** How long WAIT may block before the submission answers 503. */
        @WithDefault("1s")
        Duration waitTimeout();
    }

    interface Worker {
        /**
         * Queues to consume: names (consumed whether registered or not), or glob patterns over
         * the registry ("*" for every registered queue, "reports-*", "tenant-?-jobs").
         */
        @WithDefault("*")
        List<String> queues();

        /**
         * Jobs run at once in this process, over all its queues. One read takes at most one entry
         * per queue once there are more queues than free slots, so with many busy queues a
         * process may briefly run up to one job per queue with work beyond this.
         */
        @WithDefault("16")
        int concurrency();

        /** XREADGROUP BLOCK time; its deadline is this plus streamq.redis.command-timeout. */
        @WithDefault("2s")
        Duration pollTimeout();

        /** An entry pending longer than this without a lease renewal is taken over. */
        @WithDefault("30s")
        Duration visibilityTimeout();

        /** How often in-flight entries get their idle time reset, well inside the visibility timeout. */
        @WithDefault("10s")
        Duration leaseInterval();

        @WithDefault("5s")
        Duration reclaimInterval();

        /**
         * How often a worker with queue patterns reads the registry: for queues that left it,
         * and for new ones whose ring it missed (a new queue's first ring adopts it at once).
         */
        @WithDefault("5s")
        Duration discoveryInterval();

        @WithDefault("250ms")
        Duration promoteInterval();

        /**
         * Longest a handler may run before the attempt counts as failed (and is retried). Without
         * it a handler that never completes would hold its slot and renew its lease forever.
         */
        @WithDefault("15m")
        Duration jobTimeout();

        /** Deliveries of one entry after which it is a poison job. */
        @WithDefault("5")
        int maxDeliveries();

        /** How long shutdown waits for in-flight jobs before handing them back. */
        @WithDefault("25s")
        Duration shutdownGrace();

        Backoff backoff();

        /**
         * The built-in handlers (noop, sleep, fail, cpu) exist for drills and benchmarks; in
         * production anyone who may submit could make a worker sleep or burn CPU with them.
         */
        @WithDefault("false")
        boolean builtinHandlers();

        /** Back-off of the worker loop itself while Redis is unreachable. */
        @WithDefault("100ms")
        Duration redisBackoffMin();

        @WithDefault("5s")
        Duration redisBackoffMax();
    }

    interface Backoff {
        @WithDefault("1s")
        Duration initial();

        @WithDefault("10m")
        Duration max();

        @WithDefault("2.0")
        double multiplier();
    }

    interface Retention {
        @WithDefault("24h")
        Duration succeeded();

        @WithDefault("7d")
        Duration dead();

        /** Approximate cap on each queue's dead-letter stream. */
        @WithDefault("100000")
        long deadLetterCap();
    }
}

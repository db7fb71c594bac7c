package dev.streamq.lab;

import dev.streamq.worker.RetryPolicy;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Submits jobs at a steady rate the way a well-behaved producer does: every job gets its own
 * Idempotency-Key, and on 503 or a connection error the SAME key is retried with exponential
 * backoff until a per-job deadline. Every answer (time, status, latency, job id) is recorded.
 *
 * <p>Why a fixed-rate ticker feeding a pool, not closed-loop clients: an outage must not lower
 * the offered load (real producers keep producing), so the backlog of a fault shows up as a
 * burst of acknowledgements after recovery, which is what the recovery figure measures.
 */
public final class LoadGenerator implements AutoCloseable {

    /**
     * The producer's own backoff between tries of one key: 100 ms doubling to 2 s, no jitter
     * (the service's Retry-After is the other input). The same formula as the workers' retries.
     */
    private static final RetryPolicy BACKOFF = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(2000), 2.0);

    /** One HTTP answer (or connection failure, status -1) to one attempt of one submission. */
    public record Answer(long timeMillis, int status, long latencyMillis, String jobId, String key) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    /** One logical job: its key, when it was first offered, and (if acknowledged) its id and ack time. */
    public static final class Submission {
        final String key;
        final String queue;
        final long index;
        final long offeredMillis;
        volatile String type;
        volatile long ackMillis = -1;
        volatile String jobId;
        volatile int attempts;
        volatile boolean replayed;
        final List<String> ids = Collections.synchronizedList(new ArrayList<>());

        Submission(String key, String queue, long index, long offeredMillis) {
            this.key = key;
            this.queue = queue;
            this.index = index;
            this.offeredMillis = offeredMillis;
        }

        /** The queue it was submitted to. */
        public String queue() {
            return queue;
        }

        /** 0-based position in the offered sequence (the n of "due at start + n/rate"). */
        public long index() {
            return index;
        }

        /** The job type this submission carried ("type" of its body), null before its first attempt. */
        public String type() {
            return type;
        }

        public String key() {
            return key;
        }

        public long offeredMillis() {
            return offeredMillis;
        }

        public long ackMillis() {
            return ackMillis;
        }

        public String jobId() {
            return jobId;
        }

        public boolean acknowledged() {
            return jobId != null;
        }

        public int attempts() {
            return attempts;
        }

        /** Whether an answer said replayed:true (the key's job existed already). */
        public boolean replayed() {
            return replayed;
        }

        /** Every id a 2xx answer named for this key (must all be equal: idempotency). */
        public List<String> ids() {
            synchronized (ids) {
                return List.copyOf(ids);
            }
        }
    }

    private final JobsClient jobs;
    private final List<String> queues;
    private final double rate;
    private final Duration perJobDeadline;
    private final LongFunction<Map<String, Object>> jobBody;
    private final String keyPrefix;
    private final ExecutorService pool;
    private final Thread ticker;
    /** One backlog per queue, each with its own client threads (see the multi-queue constructor). */
    private final List<LinkedBlockingQueue<Submission>> backlogs = new ArrayList<>();
    private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
    private final List<Submission> submissions = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean offering = new AtomicBoolean(true);
    private final int threads;
    private volatile long startMillis;

    /**
     * @param rate jobs per second offered
     * @param threads client threads (bounds concurrent requests)
     * @param seed seeds the key prefix and the job bodies' randomness
     * @param jobBody body of each job, e.g. {"type":"noop","payload":{}}
     */
    public LoadGenerator(String baseUrl, String queue, double rate, int threads, long seed, Duration perJobDeadline,
            Supplier<Map<String, Object>> jobBody) {
        this(baseUrl, queue, rate, threads, seed, perJobDeadline, (LongFunction<Map<String, Object>>) n -> jobBody.get());
    }

    /**
     * Same, with the body chosen by the submission's index (0, 1, 2...): a mix of job types that
     * is the same for a given seed whatever the client threads' scheduling (the drills make a
     * seeded share of their jobs {@code fail} jobs).
     */
    public LoadGenerator(String baseUrl, String queue, double rate, int threads, long seed, Duration perJobDeadline,
            LongFunction<Map<String, Object>> jobBody) {
        this(baseUrl, List.of(queue), rate, threads, seed, perJobDeadline, jobBody);
    }

    /**
     * Same, over several queues: the n-th job goes to {@code queues[n % queues.size()]}, so each
     * queue gets rate / queues jobs per second, evenly spaced. Each queue has its own backlog and
     * {@code threads} client threads of its own: producers of a queue that Redis stalls (its
     * shard failing over) hold only their own threads, and the other queues' jobs are offered
     * on time, as by independent producers.
     */
    public LoadGenerator(String baseUrl, List<String> queues, double rate, int threads, long seed, Duration perJobDeadline,
            LongFunction<Map<String, Object>> jobBody) {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("no queue to load");
        }
        this.jobs = new JobsClient(baseUrl);
        this.queues = List.copyOf(queues);
        this.rate = rate;
        this.threads = threads;
        this.perJobDeadline = perJobDeadline;
        this.jobBody = jobBody;
        this.keyPrefix = "drill-" + Long.toHexString(new Random(seed).nextLong() ^ System.nanoTime()) + "-";
        this.pool = Executors.newFixedThreadPool(threads * this.queues.size(), daemon("load-client"));
        this.queues.forEach(q -> backlogs.add(new LinkedBlockingQueue<>()));
        this.ticker = new Thread(this::tick, "load-ticker");
        this.ticker.setDaemon(true);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public LoadGenerator start() {
        startMillis = System.currentTimeMillis();
        for (LinkedBlockingQueue<Submission> backlog : backlogs) {
            for (int i = 0; i < threads; i++) {
                pool.submit(() -> clientLoop(backlog));
            }
        }
        ticker.start();
        return this;
    }

    public long startMillis() {
        return startMillis;
    }

    /** Offers jobs at {@code rate}: the n-th job is due at start + n/rate (no drift, no catch-up skipping). */
    private void tick() {
        long startNanos = System.nanoTime();
        long n = 0;
        while (offering.get()) {
            long due = startNanos + (long) (n * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(Math.min(wait, 50_000_000L));
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            int q = (int) (n % queues.size());
            Submission s = new Submission(keyPrefix + n, queues.get(q), n, System.currentTimeMillis());
            submissions.add(s);
            backlogs.get(q).add(s);
            n++;
        }
    }

    private void clientLoop(LinkedBlockingQueue<Submission> backlog) {
        while (true) {
            Submission s;
            try {
                s = backlog.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (s == null) {
                if (!offering.get() && backlog.isEmpty()) {
                    return;
                }
                continue;
            }
            submit(s);
        }
    }

    private void submit(Submission s) {
        long deadline = s.offeredMillis + perJobDeadline.toMillis();
        Map<String, Object> job = jobBody.apply(s.index);
        s.type = String.valueOf(job.get("type"));
        while (true) {
            long t0 = System.currentTimeMillis();
            int status;
            String id = null;
            long retryAfterMs = 0;
            try {
                JobsClient.Reply reply = jobs.submit(s.queue, job, s.key);
                status = reply.status();
                if (reply.ok()) {
                    Map<String, Object> body = reply.body();
                    id = body.get("id") == null ? null : String.valueOf(body.get("id"));
                    s.replayed |= Boolean.TRUE.equals(body.get("replayed"));
                } else {
                    retryAfterMs = retryAfterMillis(reply.header("Retry-After"));
                }
            } catch (UncheckedIOException e) {
                status = -1;
            } catch (IllegalStateException interrupted) {
                return;
            }
            long t1 = System.currentTimeMillis();
            s.attempts++;
            answers.add(new Answer(t1, status, t1 - t0, id, s.key));
            if (status / 100 == 2) {
                s.ids.add(id);
                s.jobId = id;
                s.ackMillis = t1;
                return;
            }
            boolean retryable = status == -1 || status == 503 || status == 502 || status == 504 || status == 429;
            // Retry-After is a hint; a client with a deadline caps it so it keeps probing.
            long backoff = BACKOFF.ceiling(s.attempts).toMillis();
            long sleep = Math.min(Math.max(backoff, Math.min(retryAfterMs, 1000)), 2000);
            if (!retryable || System.currentTimeMillis() + sleep > deadline) {
                return;
            }
            try {
                Await.sleep(Duration.ofMillis(sleep));
            } catch (IllegalStateException interrupted) {
                return;
            }
        }
    }

    private static long retryAfterMillis(String header) {
        try {
            return header == null ? 0 : Long.parseLong(header.trim()) * 1000;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Stops offering new jobs and waits (bounded) for in-flight submissions to settle. */
    public void stop(Duration timeout) {
        offering.set(false);
        ticker.interrupt();
        pool.shutdown();
        try {
            pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public List<Answer> answers() {
        synchronized (answers) {
            return new ArrayList<>(answers);
        }
    }

    public List<Submission> submissions() {
        synchronized (submissions) {
            return new ArrayList<>(submissions);
        }
    }

    public double rate() {
        return rate;
    }

    /** Time of the first 2xx answered at or after {@code since}, or -1. */
    public long firstAckAfter(long since) {
        return answers().stream().filter(a -> a.ok() && a.timeMillis() >= since)
                .mapToLong(Answer::timeMillis).min().orElse(-1);
    }

    /** Answers that were not a 2xx (503s, connection failures) between two times. */
    public long refusalsBetween(long from, long to) {
        return answers().stream().filter(a -> !a.ok() && a.timeMillis() >= from && a.timeMillis() <= to).count();
    }

    /** Ids of every acknowledged job. */
    public Set<String> acknowledgedIds() {
        return submissions().stream().filter(Submission::acknowledged).map(Submission::jobId)
                .collect(Collectors.toSet());
    }

    @Override
    public void close() {
        offering.set(false);
        ticker.interrupt();
        pool.shutdownNow();
    }
}

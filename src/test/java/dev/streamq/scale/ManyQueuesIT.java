package dev.streamq.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.RespClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import dev.streamq.lab.bench.JvmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * One worker process serving 1 queue, then 10,000 queues that all have jobs: the same open-loop
 * load, run twice on each side (the better figures count), (noop jobs at a steady rate, spread over every queue) measures submit latency, the time
 * from submission to the job's start, and the worker's Redis connections (its PID's sockets to the
 * Redis port through ss, checked against CLIENT LIST, and INFO's blocked clients). Prints both sets of figures and their ratios; asserts the
 * 10,000-queue figures within 2x of the 1-queue ones plus {@link #NOISE_MS} (the strict 2x is the
 * benchmark's, run alone), one blocked connection, and worker connections within the pool's
 * size, which the queue count does not change.
 */
class ManyQueuesIT {

    private static final int QUEUES = 10_000;
    private static final int RATE_PER_SECOND = 100;
    /** quarkus.redis.max-pool-size of the shipped configuration. */
    private static final int POOL_SIZE = 32;
    /** streamq.metrics.queue-series-limit of the shipped configuration. */
    private static final int QUEUE_SERIES_LIMIT = 500;
    private static final Duration MEASURED = Duration.ofSeconds(15);
    /** Scheduler noise a shared 2-core box adds to a tail, in ms (see the assertions). */
    private static final double NOISE_MS = 50;
    private static final Pattern PID = Pattern.compile("pid=(\\d+)");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(600)
    void tenThousandQueuesCostNoMoreThanTwiceOneQueueAndNoConnections() throws Exception {
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"));
                ServiceProcess api = service(topology, "api").start();
                ServiceProcess worker = service(topology, "worker").start()) {
            api.awaitReady(Duration.ofSeconds(60));
            worker.awaitReady(Duration.ofSeconds(60));
            RedisNode redis = topology.currentMaster();
            JobsClient jobs = new JobsClient(api.baseUrl());

            measure(jobs, List.of("one-queue"), Duration.ofSeconds(5), redis, worker); // warm-up; the queue is consumed
            Figures one = best(measure(jobs, List.of("one-queue"), MEASURED, redis, worker),
                    measure(jobs, List.of("one-queue"), MEASURED, redis, worker));

            List<String> many = new ArrayList<>(QUEUES);
            for (int i = 0; i < QUEUES; i++) {
                many.add("q" + i);
            }
            fill(jobs, many);
            Await.condition("the worker to serve all " + QUEUES + " queues", Duration.ofSeconds(180), Duration.ofSeconds(1),
                    () -> lag(redis, many) == 0);
            Await.sleep(Duration.ofSeconds(3)); // the fill's extra connections are recycled (2 s idle)
            Figures tenThousand = best(measure(jobs, many, MEASURED, redis, worker), measure(jobs, many, MEASURED, redis, worker));

            System.out.printf("%n%-16s %12s %12s %14s %14s %12s %9s%n", "queues", "submit p50", "submit p99",
                    "to start p50", "to start p99", "connections", "blocked");
            // connections: most the worker held at once during the run; blocked: most blocked clients in Redis
            System.out.println(one.row("1"));
            System.out.println(tenThousand.row(String.valueOf(QUEUES)));

            System.out.printf("10,000 / 1 queue: submit p99 %.1fx, to start p50 %.1fx, p99 %.1fx%n",
                    tenThousand.submitP99 / one.submitP99, tenThousand.startP50 / one.startP50,
                    tenThousand.startP99 / one.startP99);
            // The 2x figure is a benchmark's (docs/benchmark.md, run alone): on a shared box a p99 of
            // 8 ms moves by tens of ms. The bound asserted here is 2x plus NOISE_MS, which still
            // fails the design this replaced by far (submit to start p50 1,211 ms, p99 6,459 ms).
            assertTrue(tenThousand.submitP99 <= 2 * one.submitP99 + NOISE_MS, "submit p99: " + one + " vs " + tenThousand);
            assertTrue(tenThousand.startP50 <= 2 * one.startP50 + NOISE_MS, "submit to start p50: " + one + " vs " + tenThousand);
            assertTrue(tenThousand.startP99 <= 2 * one.startP99 + NOISE_MS, "submit to start p99: " + one + " vs " + tenThousand);
            // One queue per blocked connection filled the pool (32) at ~30 queues: now one waits for all of them,
            // and the pool's other connections serve scripts, as many as run at once, whatever the queue count.
            assertEquals(1, tenThousand.blocked, "one connection blocked, for every queue");
            assertTrue(tenThousand.connections <= POOL_SIZE,
                    "worker connections: " + one.connections + " with 1 queue, " + tenThousand.connections + " with " + QUEUES);
            assertFits(api);
            assertFits(worker);
        }
    }

    /** With the JVM options the deployment ships (-Xmx96m): 10,000 queues must fit in them. */
    private ServiceProcess service(Topology topology, String role) {
        ServiceProcess.Builder service = ServiceProcess.builder(ServiceProcess.defaultJar()).name(role).role(role).topology(topology)
                .workDir(dir).env("STREAMQ_QUEUES_MAX", String.valueOf(QUEUES + 10))
                // idle pooled connections close after 2 s, so a count shows the load of the moment, not of the fill
                .env("QUARKUS_REDIS_POOL_RECYCLE_TIMEOUT", "2s");
        return JvmOptions.apply(service, JvmOptions.shipped()).build();
    }

    /**
     * What 10,000 queues must not do to a process: run it out of its shipped heap (both died of
     * OutOfMemoryError under -Xmx96m when every queue had ~50 series of its own), export a series
     * set per queue past the label limit, or hold its event loop (a copy of the wanted queues per
     * new queue's ring held it 3.4 s, a complete call timed out and its job ran twice).
     */
    private static void assertFits(ServiceProcess process) throws IOException {
        assertTrue(process.isAlive(), process.name() + " is alive");
        String log = Files.readString(process.logFile(), StandardCharsets.UTF_8);
        assertFalse(log.contains("OutOfMemoryError"), process.name() + " ran out of heap");
        assertFalse(log.contains("has been blocked for"), process.name() + "'s event loop was held: " + process.logFile());
        assertFalse(log.contains("\"job_duplicate\""), process.name() + " ran a job twice without a fault");
        String scrape = process.management().getPath("/q/metrics").text();
        Matcher label = Pattern.compile("(?m)^streamq_[a-z_]+\\{[^}]*queue=\"([^\"]+)\"").matcher(scrape);
        Set<String> labels = new HashSet<>();
        while (label.find()) {
            labels.add(label.group(1));
        }
        assertTrue(labels.contains("_overflow"), process.name() + " exports the overflow series");
        assertTrue(labels.size() <= QUEUE_SERIES_LIMIT + 1, // and the overflow
                process.name() + " exports " + labels.size() + " queue labels");
    }

    /** One noop job in every queue, 16 submissions at a time, so that each queue exists and has had work. */
    private static void fill(JobsClient jobs, List<String> queues) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> sent = new ArrayList<>();
            for (String queue : queues) {
                sent.add(pool.submit(() -> jobs.submit(queue, JobsClient.job("noop", Map.of(), null, null), null).status()));
            }
            for (Future<Integer> status : sent) {
                assertEquals(202, status.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Entries not yet delivered, over all the queues: 0 once the worker reads every one of them. */
    private static long lag(RedisNode redis, List<String> queues) {
        long total = 0;
        try (RespClient client = redis.client()) {
            for (String queue : queues) {
                total += client.callLong("XLEN", "streamq:{" + queue + "}:ready");
            }
        }
        return total;
    }

    /**
     * Open loop: {@value #RATE_PER_SECOND} submissions a second, each to a random queue of the list, for
     * {@code length}, while the worker's connections and Redis' blocked clients are sampled twice a second.
     */
    private static Figures measure(JobsClient jobs, List<String> queues, Duration length, RedisNode redis,
            ServiceProcess worker) throws Exception {
        Random random = new Random(9);
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
        ExecutorService senders = Executors.newFixedThreadPool(16);
        List<Future<Sample>> samples = Collections.synchronizedList(new ArrayList<>());
        long count = length.toSeconds() * RATE_PER_SECOND;
        for (long i = 0; i < count; i++) {
            String queue = queues.get(random.nextInt(queues.size()));
            clock.schedule(() -> samples.add(senders.submit(() -> submit(jobs, queue))),
                    i * 1_000_000L / RATE_PER_SECOND, TimeUnit.MICROSECONDS);
        }
        Connections connections = new Connections(redis, worker);
        for (long at = 500; at < length.toMillis(); at += 500) {
            clock.schedule(connections::sample, at, TimeUnit.MILLISECONDS);
        }
        clock.shutdown();
        clock.awaitTermination(length.toSeconds() + 30, TimeUnit.SECONDS);
        List<Double> submit = new ArrayList<>();
        List<long[]> starts = new ArrayList<>(); // {created at, ms to start}: where in the run the tail falls too
        for (Future<Sample> future : new ArrayList<>(samples)) {
            Sample sample = future.get(30, TimeUnit.SECONDS);
            submit.add(sample.submitMillis);
            Map<String, Object> job = jobs.awaitTerminal(sample.id, Duration.ofSeconds(60));
            assertEquals("succeeded", job.get("state"), job.toString());
            Instant created = Instant.parse((String) job.get("createdAt"));
            starts.add(new long[] {created.toEpochMilli(),
                Duration.between(created, Instant.parse((String) job.get("startedAt"))).toMillis()});
        }
        senders.shutdownNow();
        printSlowest(queues.size(), starts);
        List<Double> toStart = starts.stream().map(s -> (double) s[1]).toList();
        return new Figures(percentile(submit, 50), percentile(submit, 99), percentile(toStart, 50), percentile(toStart, 99),
                connections.most, connections.mostBlocked);
    }

    /** The most connections the worker's PID held to Redis (ss), and the most blocked clients Redis had, over the samples. */
    private static final class Connections {
        private final RedisNode redis;
        private final ServiceProcess worker;
        volatile long most;
        volatile long mostBlocked;

        Connections(RedisNode redis, ServiceProcess worker) {
            this.redis = redis;
            this.worker = worker;
        }

        void sample() {
            try {
                Process ss = new ProcessBuilder("ss", "-tnpH", "state", "established", "( dport = :" + redis.port() + " )")
                        .redirectErrorStream(true).start();
                String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                ss.waitFor(10, TimeUnit.SECONDS);
                long mine = 0;
                for (String line : out.split("\n")) {
                    Matcher m = PID.matcher(line);
                    if (m.find() && Long.parseLong(m.group(1)) == worker.pid()) {
                        mine++;
                    }
                }
                try (RespClient client = redis.client()) {
                    mostBlocked = Math.max(mostBlocked, Long.parseLong(client.info("clients").get("blocked_clients")));
                    long listed = client.callString("CLIENT", "LIST").lines().count();
                    most = Math.max(most, Math.min(mine, listed));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The better of two runs, figure by figure, on both sides alike: the machine is shared, and one
     * run's tail can be another process's CPU burst. Connections and blocked clients: the most seen.
     */
    private static Figures best(Figures a, Figures b) {
        return new Figures(Math.min(a.submitP50, b.submitP50), Math.min(a.submitP99, b.submitP99),
                Math.min(a.startP50, b.startP50), Math.min(a.startP99, b.startP99),
                Math.max(a.connections, b.connections), Math.max(a.blocked, b.blocked));
    }

    /**
     * The slowest starts, at their offset into the run: a tail that recurs at one period points at
     * a periodic duty (reclaim, discovery, lease renewal), a scattered one at the machine.
     */
    private static void printSlowest(int queues, List<long[]> starts) {
        long first = starts.stream().mapToLong(s -> s[0]).min().orElse(0);
        List<long[]> sorted = new ArrayList<>(starts);
        sorted.sort((a, b) -> Long.compare(b[1], a[1]));
        StringBuilder line = new StringBuilder(queues + " queue(s) from " + Instant.ofEpochMilli(first) + ", slowest starts (at +ms: ms):");
        sorted.stream().limit(15).sorted((a, b) -> Long.compare(a[0], b[0]))
                .forEach(s -> line.append(' ').append(s[0] - first).append(':').append(s[1]));
        System.out.println(line);
    }

    private static Sample submit(JobsClient jobs, String queue) {
        long started = System.nanoTime();
        JobsClient.Reply reply = jobs.submit(queue, JobsClient.job("noop", Map.of(), null, null), null);
        double millis = (System.nanoTime() - started) / 1e6;
        assertEquals(202, reply.status(), reply.toString());
        return new Sample(String.valueOf(reply.body().get("id")), millis);
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private record Sample(String id, double submitMillis) {}

    private record Figures(double submitP50, double submitP99, double startP50, double startP99, long connections,
            long blocked) {

        String row(String queues) {
            return String.format("%-16s %9.1f ms %9.1f ms %11.1f ms %11.1f ms %12d %9d", queues, submitP50, submitP99,
                    startP50, startP99, connections, blocked);
        }

        @Override
        public String toString() {
            return String.format("submit p50 %.1f p99 %.1f ms, to start p50 %.1f p99 %.1f ms, %d connections, %d blocked",
                    submitP50, submitP99, startP50, startP99, connections, blocked);
        }
    }
}

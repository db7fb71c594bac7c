package dev.streamq.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamq.lab.Await;
import dev.streamq.lab.Percentile;
import dev.streamq.lab.RedisCluster;
import dev.streamq.lab.RedisDeployment;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lab bench --cluster}: what Redis Cluster costs and what it splits, in one sitting. Two
 * sides, interleaved round by round (single, cluster, single, cluster ...), each round on fresh
 * Redis processes and a fresh streamq JVM:
 *
 * <ul>
 *   <li><b>single</b>: the lab's MVP topology, a master with 1 replica and a sentinel. Not SINGLE:
 *       on the cluster every master has 1 replica, {@code min-replicas-to-write 1}, and every
 *       submit WAITs for every replica the master lists (INFO replication in the same pipeline);
 *       behind Sentinel streamq does exactly that too, so both sides pay the same durability and
 *       the difference is what the cluster itself costs;</li>
 *   <li><b>cluster</b>: {@link RedisCluster}, 3 masters + 3 replicas.</li>
 * </ul>
 *
 * Each side: one role=all streamq process with the shipped JVM options ({@link JvmOptions}),
 * consuming 12 queues (4 per shard: {@link RedisCluster#queuesOnEveryShard}; on the single
 * master 12 queues too); an idle window with no jobs (what the processes cost when nothing
 * happens: cluster bus, sentinel pings, blocked fetches); then {@link SteadyRun} at the paced
 * rate, round robin over the queues: warm-up, then the measured window. Reported per run:
 * submit→finished p50/p99/max (SteadyRun's: offered → job_succeeded log time), CPU µs per job of
 * the JVM, of the load client and of every redis process (from /proc, {@link CpuShare}), and for
 * the cluster each shard master's share of the masters' CPU ({@link ShardSplit}). The medians
 * of the rounds go into a {@link PeerTable} (cluster / single), and the cluster's master and
 * replica CPU per job into {@link ShardCapacity}.
 */
public final class ClusterBench {

    static final String SINGLE = "single master+replica";
    static final String CLUSTER = "cluster 3+3";
    /** Shards of the lab's cluster (3 masters); the single side gets as many queues as the cluster. */
    private static final int SHARDS = 3;
    private static final List<String> JVM = JvmOptions.shipped();
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration WRITABLE = Duration.ofSeconds(30);

    private final PrintStream out;
    private final Path dir;
    private final Path jar;
    private final ClusterBenchOptions o;
    private final PeerTable table = new PeerTable(CLUSTER, SINGLE);
    private final List<ShardSplit> splits = new ArrayList<>();
    private final List<String> runs = new ArrayList<>();

    private ClusterBench(PrintStream out, Path dir, Path jar, ClusterBenchOptions options) {
        this.out = out;
        this.dir = dir.toAbsolutePath();
        this.jar = jar;
        this.o = options;
    }

    /** True when {@code lab bench} is asked for the single-master vs cluster runs. */
    public static boolean wanted(List<String> args) {
        return args.contains(ClusterBenchOptions.FLAG);
    }

    public static int run(List<String> args, PrintStream out) {
        ClusterBenchOptions options = ClusterBenchOptions.parse(args);
        Path dir = Paths.get("target", "bench", "cluster-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return new ClusterBench(out, dir, ServiceProcess.defaultJar(), options).run();
    }

    /** The Redis of one side's round, its processes by name, and the queues the load goes to. */
    private record Redis(RedisDeployment deployment, Map<String, Long> masters, Map<String, Long> replicas,
            Map<String, Long> others, List<String> queues, Map<String, Integer> ports, Map<String, Integer> shardOfQueue) { }

    private int run() {
        String loadAtStart = CpuShare.loadAverage();
        out.println("cluster: " + o.command());
        out.println("cluster: load average (1/5/15 min) at start: " + loadAtStart + "; results in " + dir);
        for (int round = 1; round <= o.rounds; round++) {
            for (String side : List.of(SINGLE, CLUSTER)) {
                out.printf("cluster: round %d/%d, %s%n", round, o.rounds, side);
                Path runDir = dir.resolve("r" + round + "-" + (side.equals(SINGLE) ? "single" : "cluster"));
                Redis redis = side.equals(SINGLE) ? single(runDir) : cluster(runDir);
                try (RedisDeployment ignored = redis.deployment()) {
                    measure(side, round, runDir, redis);
                }
            }
        }
        String loadAtEnd = CpuShare.loadAverage();
        String report = report(loadAtStart, loadAtEnd);
        out.print(report);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cluster.md"), report);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("command", o.command());
            json.put("jvm_options", JVM);
            json.put("load_average_start", loadAtStart);
            json.put("load_average_end", loadAtEnd);
            json.put("runs", runs);
            json.put("rounds", table.values());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("cluster.json").toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("cluster: results in " + dir.resolve("cluster.md") + " and cluster.json");
        return 0;
    }

    /** MVP: master, 1 replica, 1 sentinel; returns once a write is WAIT-acknowledged by the replica. */
    private Redis single(Path runDir) {
        Topology topology = Topology.start(Topology.Shape.MVP, runDir.resolve("redis"));
        try {
            RedisNode master = topology.currentMaster();
            master.awaitReplicaAcks(1, WRITABLE);
            Map<String, Long> masters = Map.of("master", master.pid());
            Map<String, Long> replicas = new LinkedHashMap<>();
            Map<String, Integer> ports = new LinkedHashMap<>();
            ports.put("master", master.port());
            topology.replicas().forEach(r -> {
                replicas.put("replica", r.pid());
                ports.put("replica", r.port());
            });
            Map<String, Long> others = new LinkedHashMap<>();
            topology.sentinels().forEach(s -> others.put("redis-sentinel", s.pid()));
            List<String> queues = new ArrayList<>();
            for (int i = 0; i < SHARDS * o.queuesPerShard; i++) {
                queues.add("bench-" + i);
            }
            return new Redis(topology, masters, replicas, others, queues, ports, Map.of());
        } catch (RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    /** 3 masters + 3 replicas; returns once every master's writes are WAIT-acknowledged by its replica. */
    private Redis cluster(Path runDir) {
        RedisCluster cluster = RedisCluster.start(runDir.resolve("redis"));
        try {
            Map<String, Long> masters = new LinkedHashMap<>();
            Map<String, Long> replicas = new LinkedHashMap<>();
            Map<String, Integer> ports = new LinkedHashMap<>();
            List<String> queues = cluster.queuesOnEveryShard("bench", o.queuesPerShard);
            List<RedisCluster.Shard> shards = cluster.shards();
            for (int i = 0; i < shards.size(); i++) {
                RedisCluster.Shard shard = shards.get(i);
                String own = queues.stream().filter(q -> shard.owns(RedisCluster.slotOfQueue(q))).findFirst()
                        .orElseThrow(() -> new IllegalStateException(shard.master() + " serves none of " + queues));
                // in the slot of one of its own queues, or the probe is MOVED
                shard.master().awaitReplicaAcks(1, WRITABLE, "lab:wait-probe:{" + own + "}");
                masters.put(shardName(i) + " master", shard.master().pid());
                ports.put(shardName(i) + " master", shard.master().port());
                for (RedisNode replica : shard.replicas()) {
                    replicas.put(shardName(i) + " replica", replica.pid());
                    ports.put(shardName(i) + " replica", replica.port());
                }
            }
            Map<String, Integer> shardOfQueue = new LinkedHashMap<>();
            for (String q : queues) {
                for (int i = 0; i < shards.size(); i++) {
                    if (shards.get(i).owns(RedisCluster.slotOfQueue(q))) {
                        shardOfQueue.put(q, i);
                    }
                }
            }
            return new Redis(cluster, masters, replicas, Map.of(), queues, ports, shardOfQueue);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** "shard 1": shards by first slot, 1-based as a reader counts them. */
    private static String shardName(int index) {
        return "shard " + (index + 1);
    }

    /** One side's round: the JVM, the idle window, the paced load, the figures. */
    private void measure(String side, int round, Path runDir, Redis redis) {
        String name = (side.equals(SINGLE) ? "single" : "cluster") + "-r" + round;
        ServiceProcess.Builder b = ServiceProcess.builder(jar).name(name).role("all").redis(redis.deployment())
                .workDir(runDir).logFile(runDir.resolve(name + ".log"))
                .env("STREAMQ_WORKER_QUEUES", String.join(",", redis.queues()));
        ServiceProcess service = JvmOptions.apply(b, JVM).start();
        try {
            service.awaitReady(READY);
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put("streamq", service.pid());
            pids.putAll(redis.masters());
            pids.putAll(redis.replicas());
            pids.putAll(redis.others());
            pids.put("lab", ProcessHandle.current().pid());

            // Idle: streamq is up and its fetches block, no job exists: the fixed cost of each process.
            Await.sleep(Duration.ofSeconds(2));
            CpuShare.Snapshot i0 = CpuShare.snapshot(pids);
            Await.sleep(Duration.ofSeconds(o.idleSeconds));
            CpuShare.Snapshot i1 = CpuShare.snapshot(pids);

            List<Map<String, CommandTime>> edges = new ArrayList<>();
            SteadyRun.Result st = SteadyRun.run(service, pids, new Completions(service), redis.queues(), o.threadsPerQueue,
                    o.rate, o.warmupSeconds, o.seconds, Duration.ofSeconds(60), () -> {
                        Map<String, CommandTime> now = new LinkedHashMap<>();
                        redis.ports().forEach((n, port) -> now.put(n, CommandTime.of(port)));
                        edges.add(now);
                    });
            record(side, round, redis, st, i0, i1);
            commandTime(edges, st.acknowledged());
        } finally {
            service.stop();
        }
    }

    private void record(String side, int round, Redis redis, SteadyRun.Result st, CpuShare.Snapshot i0, CpuShare.Snapshot i1) {
        long jobs = st.acknowledged();
        CpuShare.Snapshot c0 = st.cpuFrom();
        CpuShare.Snapshot c1 = st.cpuTo();
        long p50 = Percentile.of(st.e2e(), 50);
        long p99 = Percentile.of(st.e2e(), 99);
        long max = st.e2e().isEmpty() ? -1 : st.e2e().get(st.e2e().size() - 1);
        table.add(side, "submit→finished p50 ms", p50);
        table.add(side, "submit→finished p99 ms", p99);
        table.add(side, "submit→finished max ms", max);
        // The submit's own answer time: a p99 made of slow answers is the API's, not the worker's.
        long submitP99 = Percentile.of(st.submit(), 99);
        table.add(side, "submit answered p99 ms", submitP99);
        table.add(side, "jobs acknowledged in the window", jobs);
        double jvm = CpuShare.microsPerJob(c0, c1, "streamq", jobs);
        double lab = CpuShare.microsPerJob(c0, c1, "lab", jobs);
        table.add(side, "CPU µs/job, streamq JVM", jvm);
        table.add(side, "CPU µs/job, lab load client", lab);
        double masters = sum(redis.masters(), n -> CpuShare.microsPerJob(c0, c1, n, jobs));
        double replicas = sum(redis.replicas(), n -> CpuShare.microsPerJob(c0, c1, n, jobs));
        table.add(side, "CPU µs/job, redis masters (sum)", masters);
        table.add(side, "CPU µs/job, redis replicas (sum)", replicas);
        redis.others().keySet().forEach(n -> table.add(side, "CPU µs/job, " + n, CpuShare.microsPerJob(c0, c1, n, jobs)));
        double idleMasters = sum(redis.masters(), n -> CpuShare.percentOfCore(i0, i1, n));
        double idleReplicas = sum(redis.replicas(), n -> CpuShare.percentOfCore(i0, i1, n));
        double idleJvm = CpuShare.percentOfCore(i0, i1, "streamq");
        table.add(side, "idle, % of a core: redis masters (sum)", idleMasters);
        table.add(side, "idle, % of a core: redis replicas (sum)", idleReplicas);
        table.add(side, "idle, % of a core: streamq JVM", idleJvm);
        // The idle share of the window's CPU, spread over its jobs: what is left is what the jobs cost.
        double idleMicrosPerJob = idleMasters / 100 * 1e6 * CpuShare.seconds(c0, c1) / Math.max(1, jobs);
        table.add(side, "CPU µs/job, redis masters (sum) above idle", masters - idleMicrosPerJob);

        StringBuilder perShard = new StringBuilder();
        if (redis.masters().size() > 1) {
            List<Double> masterCpu = new ArrayList<>();
            redis.masters().keySet().forEach(n -> masterCpu.add(CpuShare.microsPerJob(c0, c1, n, jobs)));
            ShardSplit split = ShardSplit.of(masterCpu);
            splits.add(split);
            List<String> names = new ArrayList<>(redis.masters().keySet());
            for (int i = 0; i < names.size(); i++) {
                table.add(side, "CPU µs/job, " + names.get(i), masterCpu.get(i));
                table.add(side, "share of master CPU %, " + shardName(i), split.shares().get(i) * 100);
            }
            redis.replicas().keySet().forEach(n -> table.add(side, "CPU µs/job, " + n, CpuShare.microsPerJob(c0, c1, n, jobs)));
            perShard.append("; split ").append(split.verdict()).append("; submit→finished p50/p99 ms by shard:");
            // One lane per shard shares the process's job slots: a lane that waits longest shows here first.
            for (int i = 0; i < names.size(); i++) {
                int shard = i;
                List<Long> latency = new ArrayList<>();
                st.e2eByQueue().forEach((q, l) -> {
                    if (redis.shardOfQueue().get(q) == shard) {
                        latency.addAll(l);
                    }
                });
                Collections.sort(latency);
                table.add(side, "submit→finished p99 ms, " + shardName(i), Percentile.of(latency, 99));
                perShard.append(String.format(Locale.ROOT, " %d/%d", Percentile.of(latency, 50), Percentile.of(latency, 99)));
            }
        }
        String complete = st.acknowledged() == st.offered() && st.completed() == st.acknowledged() ? ""
                : String.format(Locale.ROOT, " (NOT all done: %d offered, %d acknowledged, %d finished)", st.offered(),
                        st.acknowledged(), st.completed());
        String line = String.format(Locale.ROOT,
                "round %d %s: %d jobs%s, submit→finished p50 %d p99 %d max %d ms, submit answered p99 %d ms; CPU µs/job JVM %.0f, lab %.0f, redis"
                        + " masters %.0f, replicas %.0f; idle %% of a core: masters %.1f, replicas %.1f, JVM %.1f%s; %s",
                round, side, jobs, complete, p50, p99, max, submitP99, jvm, lab, masters, replicas, idleMasters, idleReplicas, idleJvm,
                perShard, st.cpu());
        runs.add(line);
        out.println("cluster:   " + line);
    }

    /** Each redis process's costliest commands over the measured window, per job: what an uneven split is made of. */
    private void commandTime(List<Map<String, CommandTime>> edges, long jobs) {
        if (edges.size() != 2 || jobs <= 0) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, CommandTime> e : edges.get(1).entrySet()) {
            lines.add(e.getKey() + " " + e.getValue().since(edges.get(0).get(e.getKey())).describe(jobs, 4));
        }
        String line = String.join("; ", lines);
        runs.add("  " + line);
        out.println("cluster:     " + line);
    }

    private static double sum(Map<String, Long> processes, java.util.function.ToDoubleFunction<String> each) {
        return processes.keySet().stream().mapToDouble(each).sum();
    }

    private double median(String side, String figure) {
        return PeerTable.median(table.values().get(side).get(figure));
    }

    private String report(String loadAtStart, String loadAtEnd) {
        StringBuilder sb = new StringBuilder();
        sb.append('\n').append(table.markdown()).append('\n');
        sb.append(String.format(Locale.ROOT, "- cluster costs, medians: JVM %+.0f µs/job, redis masters %+.0f µs/job, replicas"
                + " %+.0f µs/job, submit→finished p50 %+.0f ms, p99 %+.0f ms (cluster − single)%n",
                median(CLUSTER, "CPU µs/job, streamq JVM") - median(SINGLE, "CPU µs/job, streamq JVM"),
                median(CLUSTER, "CPU µs/job, redis masters (sum)") - median(SINGLE, "CPU µs/job, redis masters (sum)"),
                median(CLUSTER, "CPU µs/job, redis replicas (sum)") - median(SINGLE, "CPU µs/job, redis replicas (sum)"),
                median(CLUSTER, "submit→finished p50 ms") - median(SINGLE, "submit→finished p50 ms"),
                median(CLUSTER, "submit→finished p99 ms") - median(SINGLE, "submit→finished p99 ms")));
        for (int i = 0; i < splits.size(); i++) {
            sb.append(String.format(Locale.ROOT, "- split, round %d: %s%n", i + 1, splits.get(i).verdict()));
        }
        List<Double> medianShares = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            medianShares.add(median(CLUSTER, "CPU µs/job, " + shardName(i) + " master"));
        }
        if (medianShares.stream().noneMatch(d -> d.isNaN())) {
            sb.append("- split, medians of the rounds: ").append(ShardSplit.of(medianShares).verdict()).append('\n');
        }
        capacity(sb, "cluster, gross", median(CLUSTER, "CPU µs/job, redis masters (sum)"),
                median(CLUSTER, "CPU µs/job, redis replicas (sum)"));
        capacity(sb, "cluster, above idle", median(CLUSTER, "CPU µs/job, redis masters (sum) above idle"),
                median(CLUSTER, "CPU µs/job, redis replicas (sum)"));
        capacity(sb, "single master, gross", median(SINGLE, "CPU µs/job, redis masters (sum)"),
                median(SINGLE, "CPU µs/job, redis replicas (sum)"));
        sb.append(String.format(Locale.ROOT, "- streamq: one role=all JVM (%s), %d queues (%d per shard), %s jobs/s noop"
                + " round robin, %d client threads per queue; %d s idle, %d s warm-up, %d s measured%n",
                String.join(" ", JVM), SHARDS * o.queuesPerShard, o.queuesPerShard, PeerTable.number(o.rate), o.threadsPerQueue,
                o.idleSeconds, o.warmupSeconds, o.seconds));
        sb.append(String.format(Locale.ROOT, "- machine: %d cores; load average (1/5/15 min) at start %s, at end %s%n",
                Runtime.getRuntime().availableProcessors(), loadAtStart, loadAtEnd));
        sb.append("- command: ").append(o.command()).append('\n');
        return sb.toString();
    }

    private void capacity(StringBuilder sb, String basis, double masterMicros, double replicaMicros) {
        if (!(masterMicros > 0)) {
            sb.append("- capacity (").append(basis).append("): no master CPU measured\n");
            return;
        }
        sb.append("- capacity (").append(basis).append("): ")
                .append(new ShardCapacity(masterMicros, replicaMicros, o.utilisation).describe(o.target)).append('\n');
    }
}

package dev.streamq.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import dev.streamq.lab.Percentile;
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
import java.util.stream.Stream;

/**
 * {@code lab bench}: how close streamq gets to what its Redis can do, on this machine, in phases.
 *
 * <ol>
 *   <li>raw XADD rate of the redis-server ({@link RedisBenchmark});</li>
 *   <li>HTTP submit rate of an API-only process, one job per request and batches of 100, driven by
 *       {@link Wrk};</li>
 *   <li>processing rate: 50k noop jobs pre-filled while no worker runs ({@link Backlog}), then one
 *       worker process drains them;</li>
 *   <li>one role=all process: end-to-end latency at a steady 500 jobs/s ({@link SteadyRun}, GC log
 *       checked against the outliers by {@link GcPauses}), sustained end to end (wrk floods submits
 *       for 10 s, then the backlog drains: jobs / (submit + drain time)), single and batch, and the
 *       highest steady rate the latency test holds;</li>
 *   <li>peak RSS (VmHWM) per role with the JVM options the JVM-mode deployment ships ({@link JvmOptions}:
 *       every process here runs with them), and of a role=all process with those plus
 *       {@code -XX:TieredStopAtLevel=1} up to the single flood (compare
 *       with the main role=all process's VmHWM at the same point).</li>
 * </ol>
 *
 * CPU shares ({@link CpuShare}, % of one core, like top) are reported for every measured window:
 * load client, redis and the service share the machine's cores, so figures are a floor,
 * comparable run to run on the same box, not a capacity plan.
 */
public final class Bench {

    /** What the JVM-mode deployment ships; the C1-only variant shows what giving up C2 would save. */
    private static final List<String> JVM_MAIN = JvmOptions.shipped();
    private static final List<String> JVM_SMALL = Stream.concat(JVM_MAIN.stream(),
            Stream.of("-XX:TieredStopAtLevel=1")).toList();
    private static final String ALL_QUEUES = "bench-warm,bench-e2e,bench-flood-single,bench-flood-batch,bench-ramp";

    private final PrintStream out;
    private final Path dir;
    private final Path jar;
    private final BenchOptions o;
    private final Wrk wrk;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private long redisPid;

    private Bench(PrintStream out, Path dir, Path jar, BenchOptions options) {
        this.out = out;
        this.dir = dir.toAbsolutePath();
        this.jar = jar;
        this.o = options;
        this.wrk = new Wrk(this.dir, out);
    }

    public static int run(List<String> args, PrintStream out) {
        if (PeerBench.wanted(args)) {
            return PeerBench.run(args, out);
        }
        if (ClusterBench.wanted(args)) {
            return ClusterBench.run(args, out);
        }
        Path dir = Paths.get("target", "bench", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return new Bench(out, dir, ServiceProcess.defaultJar(), BenchOptions.parse(args)).run();
    }

    private void put(String key, Object value) {
        results.put(key, value);
        out.printf(Locale.ROOT, "bench: %-44s %s%n", key, value);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private int run() {
        Wrk.require();
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"))) {
            int port = topology.currentMaster().port();
            redisPid = topology.currentMaster().pid();
            double raw = RedisBenchmark.rawXadd(port, out);
            put("raw_xadd_rps", raw);
            put("jvm_flags", String.join(" ", JVM_MAIN));

            Path single = wrk.script("single", "{\"type\":\"noop\",\"payload\":{}}");
            Path batch = wrk.script("batch100", new ObjectMapper().writeValueAsString(Map.of("jobs", Backlog.noops(100))));
            // Phase 1: API only, no worker: submit rates (wrk), then the pre-filled queue.
            ServiceProcess api = service("api", "api", topology, "bench-none", JVM_MAIN).awaitReady(Duration.ofSeconds(60));
            double singleRate = submitRate("single", api, "/queues/bench-single/jobs", single, 2, o.singleConnections, 1);
            double batchRate = submitRate("batch100", api, "/queues/bench-batch/jobs/batch", batch, 1, o.batchConnections, 100);
            Backlog backlog = new Backlog(new JobsClient(api.baseUrl(), Duration.ofSeconds(30)), out);
            long t0 = System.nanoTime();
            backlog.fill("bench-drain", o.drainWarmup + o.fill);
            put("fill_seconds", round((System.nanoTime() - t0) / 1e9));
            long filled = backlog.size("bench-drain");
            put("backlog_before_drain", filled);
            put("peak_rss_api_kb", api.peakRssKb());
            // Phase 2: one worker process drains it.
            double processing = drain(topology, backlog, filled);
            api.stop();

            // Phase 3: one role=all process: latency at a steady rate, sustained end to end, ramp.
            ServiceProcess all = service("all", "all", topology, ALL_QUEUES, JVM_MAIN).awaitReady(Duration.ofSeconds(60));
            Completions allLog = new Completions(all);
            allWorkload("all", all, allLog, single, batch);
            put("peak_rss_all_kb", all.peakRssKb());
            ramp(all, allLog);
            put("peak_rss_all_after_ramp_kb", all.peakRssKb());
            all.stop();

            // Phase 4: same role=all workload (no ramp) with C1 only and a 96 MiB heap: RSS comparison.
            put("jvm_flags_small", String.join(" ", JVM_SMALL));
            ServiceProcess small = service("all-c1", "all", topology, ALL_QUEUES, JVM_SMALL)
                    .awaitReady(Duration.ofSeconds(60));
            allWorkload("c1", small, new Completions(small), single, null); // no batch flood: saves a long drain
            put("peak_rss_all_c1_xmx96_kb", small.peakRssKb());
            small.stop();

            put("ratio_single_submit_to_raw", round(singleRate / raw));
            put("ratio_batch_submit_to_raw", round(batchRate / raw));
            put("ratio_processing_to_raw", round(processing / raw));
            put("targets", Targets.lines(results, raw, o.e2eRate));
            Files.createDirectories(dir);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("bench.json").toFile(), results);
            out.println("bench: results in " + dir.resolve("bench.json"));
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A warmed-up wrk run against the API alone: jobs/s accepted, its wrk figures and CPU shares. */
    private double submitRate(String name, ServiceProcess api, String path, Path script, int threads, int connections,
            int jobsPerRequest) throws IOException, InterruptedException {
        wrk.run("api-" + name + "-warmup", api, path, script, threads, connections, o.warmupSeconds);
        CpuShare.Snapshot c0 = CpuShare.of(api.pid(), redisPid);
        Wrk.Result w = wrk.run("api-" + name, api, path, script, threads, connections, o.submitSeconds);
        CpuShare.Snapshot c1 = CpuShare.of(api.pid(), redisPid);
        double rate = w.okPerSecond(jobsPerRequest);
        put("http_submit_" + name + "_jobs_per_s", round(rate));
        put("http_submit_" + name + "_wrk", w.describe());
        put("http_submit_" + name + "_cpu", CpuShare.share(c0, c1, w.cpuSeconds()));
        return rate;
    }

    /** One worker process drains the {@code filled} jobs of bench-drain. Returns jobs/s after the warm-up jobs. */
    private double drain(Topology topology, Backlog backlog, long filled) {
        ServiceProcess worker = service("worker", "worker", topology, "bench-drain", JVM_MAIN);
        long start = System.currentTimeMillis();
        backlog.awaitDrained("bench-drain", Duration.ofMinutes(10));
        double wall = (System.currentTimeMillis() - start) / 1000.0;
        Completions workerLog = new Completions(worker);
        Await.holds(Duration.ofSeconds(10), Duration.ofMillis(250), () -> workerLog.of("bench-drain").size() >= filled);
        List<Long> done = new ArrayList<>(workerLog.of("bench-drain").values());
        Collections.sort(done);
        // The first drainWarmup jobs warm the fresh JVM (JIT); the rate counts the jobs after them.
        int w = Math.min(o.drainWarmup, Math.max(0, done.size() - 2));
        double cold = w > 1 ? (w - 1) / ((done.get(w - 1) - done.get(0)) / 1000.0) : 0;
        double processing = done.size() - w > 1
                ? (done.size() - w - 1) / ((done.get(done.size() - 1) - done.get(w)) / 1000.0) : 0;
        put("drained_jobs", done.size());
        put("drain_wall_seconds_incl_jvm_start", round(wall));
        put("processing_first_" + w + "_cold_jobs_per_s", round(cold));
        put("processing_jobs_per_s", round(processing));
        put("peak_rss_worker_kb", worker.peakRssKb());
        worker.stop();
        return processing;
    }

    /** Warm-up, latency at the steady rate (with the GC check), sustained e2e single and (batch not null) batch. */
    private void allWorkload(String prefix, ServiceProcess p, Completions log, Path single, Path batch)
            throws InterruptedException, IOException {
        Backlog backlog = new Backlog(p.jobs(), out);
        // Warm-up: JIT of the submit and the worker paths, then let the warm-up jobs drain.
        wrk.run(prefix + "-warmup", p, "/queues/bench-warm/jobs", single, 2, o.singleConnections, o.warmupSeconds);
        backlog.awaitDrained("bench-warm", Duration.ofMinutes(5));

        SteadyRun.Result st = SteadyRun.run(p, redisPid, log, "bench-e2e", o.e2eRate, 5, o.e2eSeconds, Duration.ofSeconds(60));
        put(prefix + "_e2e_offered_jobs_per_s", o.e2eRate);
        put(prefix + "_e2e_offered_in_window", st.offered());
        put(prefix + "_e2e_acknowledged", st.acknowledged());
        put(prefix + "_e2e_completed", st.completed());
        put(prefix + "_e2e_completed_jobs_per_s", round(st.completedPerSecond()));
        put(prefix + "_e2e_submit_p50_p99_ms", Percentile.of(st.submit(), 50) + " / " + Percentile.of(st.submit(), 99));
        put(prefix + "_e2e_submit_to_complete_p50_ms", Percentile.of(st.e2e(), 50));
        put(prefix + "_e2e_submit_to_complete_p90_ms", Percentile.of(st.e2e(), 90));
        put(prefix + "_e2e_submit_to_complete_p99_ms", Percentile.of(st.e2e(), 99));
        put(prefix + "_e2e_submit_to_complete_max_ms", st.e2e().isEmpty() ? -1 : st.e2e().get(st.e2e().size() - 1));
        put(prefix + "_e2e_cpu", st.cpu());
        GcPauses.check(gcLog(p.name()), st).forEach((k, v) -> put(prefix + "_" + k, v));

        sustained(prefix + "_sustained_single", p, log, "bench-flood-single", single, 1, 2, o.singleConnections);
        put(prefix + "_peak_rss_after_single_flood_kb", p.peakRssKb());
        if (batch != null) {
            sustained(prefix + "_sustained_batch100", p, log, "bench-flood-batch", batch, 100, 1, o.batchConnections);
        }
    }

    /**
     * wrk floods {@code queue} of a role=all process for submitSeconds, then the backlog drains.
     * Sustained rate = jobs completed / (submit time + drain time), time from wrk start to the last
     * job_succeeded of the queue.
     */
    private void sustained(String key, ServiceProcess p, Completions log, String queue, Path script, int jobsPerRequest,
            int threads, int connections) throws InterruptedException, IOException {
        CpuShare.Snapshot c0 = CpuShare.of(p.pid(), redisPid);
        long start = System.currentTimeMillis();
        Wrk.Result w = wrk.run(key, p, "/queues/" + queue + "/jobs" + (jobsPerRequest > 1 ? "/batch" : ""), script,
                threads, connections, o.submitSeconds);
        long submitEnd = System.currentTimeMillis();
        CpuShare.Snapshot c1 = CpuShare.of(p.pid(), redisPid);
        new Backlog(p.jobs(), out).awaitDrained(queue, Duration.ofMinutes(10));
        CpuShare.Snapshot c2 = CpuShare.of(p.pid(), redisPid);
        long accepted = w.ok() * jobsPerRequest;
        Await.holds(Duration.ofSeconds(10), Duration.ofMillis(250), () -> log.of(queue).size() >= accepted);
        Map<String, Long> done = log.of(queue);
        long last = done.isEmpty() ? submitEnd : Collections.max(done.values());
        long duringSubmit = done.values().stream().filter(t -> t <= submitEnd).count();
        double total = (last - start) / 1000.0;
        put(key + "_accepted_jobs", accepted);
        put(key + "_completed_jobs", done.size());
        put(key + "_submit_jobs_per_s", round(w.okPerSecond(jobsPerRequest)));
        put(key + "_completed_during_submit_jobs_per_s", round(duringSubmit / ((submitEnd - start) / 1000.0)));
        put(key + "_drain_seconds_after_submit", round((last - submitEnd) / 1000.0));
        put(key + "_drain_jobs_per_s_after_submit", last > submitEnd ? round((done.size() - duringSubmit) / ((last - submitEnd) / 1000.0)) : 0);
        put(key + "_e2e_jobs_per_s", round(done.size() / total));
        put(key + "_wrk", w.describe());
        put(key + "_cpu_submit_window", CpuShare.share(c0, c1, w.cpuSeconds()));
        put(key + "_cpu_drain_window", CpuShare.share(c1, c2, 0));
    }

    /** The highest LoadGenerator rate (open loop) at which every job is acknowledged and done, p99 <= 100 ms. */
    private void ramp(ServiceProcess p, Completions log) {
        double held = 0;
        double held10ms = 0;
        List<String> steps = new ArrayList<>();
        for (double rate : o.ramp) {
            SteadyRun.Result st = SteadyRun.run(p, redisPid, log, "bench-ramp", rate, 3, 10, Duration.ofSeconds(30));
            long p99 = Percentile.of(st.e2e(), 99);
            boolean ok = st.offered() > 0 && st.acknowledged() == st.offered() && st.completed() == st.acknowledged()
                    && p99 <= 100;
            steps.add(String.format(Locale.ROOT, "%.0f/s: ack %d/%d done %d, %.0f done/s, p50 %d p99 %d ms, %s -> %s",
                    rate, st.acknowledged(), st.offered(), st.completed(), st.completedPerSecond(),
                    Percentile.of(st.e2e(), 50), p99, st.cpu(), ok ? "held" : "NOT held"));
            out.println("bench: ramp " + steps.get(steps.size() - 1));
            new Backlog(p.jobs(), out).awaitDrained("bench-ramp", Duration.ofMinutes(5));
            if (!ok) {
                break;
            }
            held = rate;
            if (p99 <= 10) {
                held10ms = rate;
            }
        }
        put("ramp_steps", steps);
        put("e2e_max_steady_rate_held_jobs_per_s", held);
        put("e2e_max_steady_rate_p99_le_10ms_jobs_per_s", held10ms);
    }

    /** {@code queues}: STREAMQ_WORKER_QUEUES, so each phase only sees its own queues. GC logged to logs/NAME-gc.log. */
    private ServiceProcess service(String name, String role, Topology topology, String queues, List<String> jvm) {
        ServiceProcess.Builder b = ServiceProcess.builder(jar).name(name).role(role).topology(topology).workDir(dir)
                .env("STREAMQ_WORKER_QUEUES", queues).env("STREAMQ_WORKER_DISCOVERY_INTERVAL", "1s")
                .logFile(dir.resolve("logs").resolve(name + ".log"));
        JvmOptions.apply(b, jvm);
        b.jvmArg(GcPauses.logFlag(gcLog(name)));
        try {
            Files.createDirectories(dir.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.start();
    }

    private Path gcLog(String name) {
        return dir.resolve("logs").resolve(name + "-gc.log");
    }
}

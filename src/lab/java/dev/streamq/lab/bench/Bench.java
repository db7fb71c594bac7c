package dev.streamq.lab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import dev.streamq.lab.drill.LoadGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lab bench}: how close streamq gets to what its Redis can do, on this machine.
 *
 * <ol>
 *   <li>raw XADD rate of the redis-server (redis-benchmark, 50 clients, no pipelining);</li>
 *   <li>HTTP submit rate of an API-only process, one job per request and batches of 100, driven by
 *       {@code wrk} (a C client: a Java client burns the shared cores and measures itself);</li>
 *   <li>processing rate: 50k noop jobs pre-filled while no worker runs, then one worker process drains them;</li>
 *   <li>one role=all process: end-to-end latency at a steady 500 jobs/s (LoadGenerator, open loop,
 *       GC log checked against the outliers), sustained end to end (wrk floods submits for 10 s,
 *       then the backlog drains: jobs / (submit + drain time)), single and batch, and the highest
 *       steady rate the latency test holds;</li>
 *   <li>peak RSS (VmHWM) per role with {@code -Xmx128m -XX:+UseSerialGC}, and of a role=all process
 *       with {@code -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1} up to the single flood (compare
 *       with the main role=all process's VmHWM at the same point).</li>
 * </ol>
 *
 * CPU shares (utime+stime deltas from /proc, % of one core, like top) are reported for every
 * measured window: load client, redis and the service share the machine's cores, so figures are
 * a floor, comparable run to run on the same box, not a capacity plan.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RPS = Pattern.compile("([0-9]+(?:\\.[0-9]+)?) requests per second");
    private static final Pattern WRK_STAT = Pattern.compile("WRKSTAT (.*)");
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s");
    private static final Pattern GC_PAUSE = Pattern.compile("^\\[(\\d+)ms\\].*Pause.* ([0-9.]+)ms\\s*$");
    private static final List<String> JVM_MAIN = List.of("-Xmx128m", "-XX:+UseSerialGC");
    private static final List<String> JVM_SMALL = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final String NOOP = "{\"type\":\"noop\",\"payload\":{}}";
    private static final String ALL_QUEUES = "bench-warm,bench-e2e,bench-flood-single,bench-flood-batch,bench-ramp";

    private final PrintStream out;
    private final Path dir;
    private final Path jar;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private int fill = 50_000;
    private int drainWarmup = 50_000;
    private double e2eRate = 500;
    private int e2eSeconds = 20;
    private int submitSeconds = 10;
    private int warmupSeconds = 5;
    private int singleConnections = 64;
    private int batchConnections = 8;
    private List<Double> ramp = List.of(1000.0, 2000.0, 3000.0, 3500.0, 4000.0, 5000.0);
    private long redisPid;

    private Bench(PrintStream out, Path dir, Path jar) {
        this.out = out;
        this.dir = dir.toAbsolutePath();
        this.jar = jar;
    }

    public static int run(List<String> args, PrintStream out) {
        Path dir = Paths.get("target", "bench", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path jar = ServiceProcess.defaultJar();
        Bench bench = new Bench(out, dir, jar);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String v = i + 1 < args.size() ? args.get(++i) : null;
            if (v == null) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            switch (a) {
                case "--fill" -> bench.fill = Integer.parseInt(v);
                case "--drain-warmup" -> bench.drainWarmup = Integer.parseInt(v);
                case "--e2e-rate" -> bench.e2eRate = Double.parseDouble(v);
                case "--e2e-seconds" -> bench.e2eSeconds = Integer.parseInt(v);
                case "--submit-seconds" -> bench.submitSeconds = Integer.parseInt(v);
                case "--warmup-seconds" -> bench.warmupSeconds = Integer.parseInt(v);
                case "--connections" -> bench.singleConnections = Integer.parseInt(v);
                case "--batch-connections" -> bench.batchConnections = Integer.parseInt(v);
                case "--ramp" -> bench.ramp = parseRamp(v);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for bench");
            }
        }
        return bench.run();
    }

    private static List<Double> parseRamp(String v) {
        List<Double> rates = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                rates.add(Double.parseDouble(s.trim()));
            }
        }
        return rates;
    }

    private void put(String key, Object value) {
        results.put(key, value);
        out.printf(Locale.ROOT, "bench: %-44s %s%n", key, value);
    }

    private int run() {
        requireWrk();
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"))) {
            int port = topology.currentMaster().port();
            redisPid = topology.currentMaster().pid();
            double raw = rawXadd(port);
            put("raw_xadd_rps", raw);
            put("jvm_flags", String.join(" ", JVM_MAIN));

            // Phase 1: API only, no worker: submit rates (wrk), then the pre-filled queue.
            ServiceProcess api = service("api", "api", topology, "bench-none", JVM_MAIN).awaitReady(Duration.ofSeconds(60));
            Path single = wrkScript("single", NOOP);
            Path batch = wrkScript("batch100", batchBody(100));
            wrk("api-single-warmup", api, "/queues/bench-single/jobs", single, 2, singleConnections, warmupSeconds);
            Cpu.Snapshot c0 = cpu(api);
            WrkResult s = wrk("api-single", api, "/queues/bench-single/jobs", single, 2, singleConnections, submitSeconds);
            Cpu.Snapshot c1 = cpu(api);
            double singleRate = s.okPerSecond(1);
            put("http_submit_single_jobs_per_s", round(singleRate));
            put("http_submit_single_wrk", s.describe());
            put("http_submit_single_cpu", Cpu.share(c0, c1, s.cpuSeconds));

            wrk("api-batch-warmup", api, "/queues/bench-batch/jobs/batch", batch, 1, batchConnections, warmupSeconds);
            c0 = cpu(api);
            WrkResult b = wrk("api-batch", api, "/queues/bench-batch/jobs/batch", batch, 1, batchConnections, submitSeconds);
            c1 = cpu(api);
            double batchRate = b.okPerSecond(100);
            put("http_submit_batch100_jobs_per_s", round(batchRate));
            put("http_submit_batch100_wrk", b.describe());
            put("http_submit_batch100_cpu", Cpu.share(c0, c1, b.cpuSeconds));

            long t0 = System.nanoTime();
            fillQueue(api.baseUrl(), "bench-drain", drainWarmup + fill);
            put("fill_seconds", round((System.nanoTime() - t0) / 1e9));
            long backlog = backlog(api.baseUrl(), "bench-drain");
            put("backlog_before_drain", backlog);
            put("peak_rss_api_kb", api.peakRssKb());

            // Phase 2: one worker process drains the pre-filled queue.
            ServiceProcess worker = service("worker", "worker", topology, "bench-drain", JVM_MAIN);
            long start = System.currentTimeMillis();
            awaitDrained(api.baseUrl(), "bench-drain", Duration.ofMinutes(10));
            double wall = (System.currentTimeMillis() - start) / 1000.0;
            LogTail workerLog = new LogTail(worker.logFile());
            awaitCompleted(workerLog, "bench-drain", backlog, Duration.ofSeconds(10));
            List<Long> done = new ArrayList<>(workerLog.succeeded("bench-drain").values());
            Collections.sort(done);
            // The first drainWarmup jobs warm the fresh JVM (JIT); the rate counts the jobs after them.
            int w = Math.min(drainWarmup, Math.max(0, done.size() - 2));
            double cold = w > 1 ? (w - 1) / ((done.get(w - 1) - done.get(0)) / 1000.0) : 0;
            double processing = done.size() - w > 1
                    ? (done.size() - w - 1) / ((done.get(done.size() - 1) - done.get(w)) / 1000.0) : 0;
            put("drained_jobs", done.size());
            put("drain_wall_seconds_incl_jvm_start", round(wall));
            put("processing_first_" + w + "_cold_jobs_per_s", round(cold));
            put("processing_jobs_per_s", round(processing));
            put("peak_rss_worker_kb", worker.peakRssKb());
            worker.stop();
            api.stop();

            // Phase 3: one role=all process: latency at a steady rate, sustained end to end, ramp.
            ServiceProcess all = service("all", "all", topology, ALL_QUEUES, JVM_MAIN).awaitReady(Duration.ofSeconds(60));
            LogTail allLog = new LogTail(all.logFile());
            allWorkload("all", all, allLog, single, batch);
            put("peak_rss_all_kb", all.peakRssKb());
            ramp(all, allLog);
            put("peak_rss_all_after_ramp_kb", all.peakRssKb());
            all.stop();

            // Phase 4: same role=all workload (no ramp) with C1 only and a 96 MiB heap: RSS comparison.
            put("jvm_flags_small", String.join(" ", JVM_SMALL));
            ServiceProcess small = service("all-c1", "all", topology, ALL_QUEUES, JVM_SMALL)
                    .awaitReady(Duration.ofSeconds(60));
            allWorkload("c1", small, new LogTail(small.logFile()), single, null); // no batch flood: saves a long drain
            put("peak_rss_all_c1_xmx96_kb", small.peakRssKb());
            small.stop();

            put("ratio_single_submit_to_raw", round(singleRate / raw));
            put("ratio_batch_submit_to_raw", round(batchRate / raw));
            put("ratio_processing_to_raw", round(processing / raw));
            targets(raw);
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

    /** Warm-up, latency at the steady rate (with the GC check), sustained e2e single and (batch not null) batch. */
    private void allWorkload(String prefix, ServiceProcess p, LogTail log, Path single, Path batch)
            throws InterruptedException, IOException {
        // Warm-up: JIT of the submit and the worker paths, then let the warm-up jobs drain.
        wrk(prefix + "-warmup", p, "/queues/bench-warm/jobs", single, 2, singleConnections, warmupSeconds);
        awaitDrained(p.baseUrl(), "bench-warm", Duration.ofMinutes(5));

        Steady st = steady(p, log, "bench-e2e", e2eRate, 5, e2eSeconds, Duration.ofSeconds(60));
        put(prefix + "_e2e_offered_jobs_per_s", e2eRate);
        put(prefix + "_e2e_offered_in_window", st.offered);
        put(prefix + "_e2e_acknowledged", st.acknowledged);
        put(prefix + "_e2e_completed", st.completed);
        put(prefix + "_e2e_completed_jobs_per_s", round(st.completedPerSecond()));
        put(prefix + "_e2e_submit_p50_p99_ms", pct(st.submit, 50) + " / " + pct(st.submit, 99));
        put(prefix + "_e2e_submit_to_complete_p50_ms", pct(st.e2e, 50));
        put(prefix + "_e2e_submit_to_complete_p90_ms", pct(st.e2e, 90));
        put(prefix + "_e2e_submit_to_complete_p99_ms", pct(st.e2e, 99));
        put(prefix + "_e2e_submit_to_complete_max_ms", st.e2e.isEmpty() ? -1 : st.e2e.get(st.e2e.size() - 1));
        put(prefix + "_e2e_cpu", st.cpu);
        gcCheck(prefix, p, st);

        sustained(prefix + "_sustained_single", p, log, "bench-flood-single", single, 1, 2, singleConnections);
        put(prefix + "_peak_rss_after_single_flood_kb", p.peakRssKb());
        if (batch != null) {
            sustained(prefix + "_sustained_batch100", p, log, "bench-flood-batch", batch, 100, 1, batchConnections);
        }
    }

    /** GC pauses in the measured window of the steady run, and whether the slowest 1 % overlap one. */
    private void gcCheck(String prefix, ServiceProcess p, Steady st) {
        List<long[]> pauses = gcPauses(gcLog(p.name())); // {endMillis, micros}
        int inWindow = 0;
        int over5 = 0;
        long maxMicros = 0;
        long sumMicros = 0;
        for (long[] pause : pauses) {
            if (pause[0] >= st.from && pause[0] <= st.to) {
                inWindow++;
                sumMicros += pause[1];
                maxMicros = Math.max(maxMicros, pause[1]);
                if (pause[1] > 5000) {
                    over5++;
                }
            }
        }
        // the slowest 1 % of the measured jobs (ties at the p99 value broken arbitrarily)
        List<long[]> byLatency = new ArrayList<>(st.jobs);
        byLatency.sort((x, y) -> Long.compare(y[1] - y[0], x[1] - x[0]));
        int slowest = (int) Math.ceil(byLatency.size() / 100.0);
        int outliers = 0;
        int outliersOnGc = 0;
        int jobsOnGc = 0;
        for (int j = 0; j < byLatency.size(); j++) {
            long[] job = byLatency.get(j); // {offered, finished}
            boolean onGc = false;
            for (long[] pause : pauses) {
                long pauseStart = pause[0] - (pause[1] + 999) / 1000 - 1;
                if (pauseStart <= job[1] && pause[0] + 1 >= job[0]) {
                    onGc = true;
                    break;
                }
            }
            if (onGc) {
                jobsOnGc++;
            }
            if (j < slowest) {
                outliers++;
                if (onGc) {
                    outliersOnGc++;
                }
            }
        }
        put(prefix + "_gc_pauses_in_window", inWindow);
        put(prefix + "_gc_pauses_over_5ms_in_window", over5);
        put(prefix + "_gc_pause_max_ms", round(maxMicros / 1000.0));
        put(prefix + "_gc_pause_total_ms", round(sumMicros / 1000.0));
        put(prefix + "_e2e_slowest_1pct_jobs", outliers);
        put(prefix + "_e2e_slowest_1pct_overlapping_gc", outliersOnGc);
        put(prefix + "_e2e_all_jobs_overlapping_gc_pct", st.jobs.isEmpty() ? 0 : round(100.0 * jobsOnGc / st.jobs.size()));
    }

    /**
     * wrk floods {@code queue} of a role=all process for submitSeconds, then the backlog drains.
     * Sustained rate = jobs completed / (submit time + drain time), time from wrk start to the last
     * job_succeeded of the queue.
     */
    private void sustained(String key, ServiceProcess p, LogTail log, String queue, Path script, int jobsPerRequest,
            int threads, int connections) throws InterruptedException, IOException {
        Cpu.Snapshot c0 = cpu(p);
        long start = System.currentTimeMillis();
        WrkResult w = wrk(key, p, "/queues/" + queue + "/jobs" + (jobsPerRequest > 1 ? "/batch" : ""), script,
                threads, connections, submitSeconds);
        long submitEnd = System.currentTimeMillis();
        Cpu.Snapshot c1 = cpu(p);
        awaitDrained(p.baseUrl(), queue, Duration.ofMinutes(10));
        Cpu.Snapshot c2 = cpu(p);
        long accepted = w.ok() * jobsPerRequest;
        awaitCompleted(log, queue, accepted, Duration.ofSeconds(10));
        Map<String, Long> done = log.succeeded(queue);
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
        put(key + "_cpu_submit_window", Cpu.share(c0, c1, w.cpuSeconds));
        put(key + "_cpu_drain_window", Cpu.share(c1, c2, 0));
    }

    /** The highest LoadGenerator rate (open loop) at which every job is acknowledged and done, p99 <= 100 ms. */
    private void ramp(ServiceProcess p, LogTail log) throws InterruptedException {
        double held = 0;
        double held10ms = 0;
        List<String> steps = new ArrayList<>();
        for (double rate : ramp) {
            Steady st = steady(p, log, "bench-ramp", rate, 3, 10, Duration.ofSeconds(30));
            long p99 = pct(st.e2e, 99);
            boolean ok = st.offered > 0 && st.acknowledged == st.offered && st.completed == st.acknowledged && p99 <= 100;
            steps.add(String.format(Locale.ROOT, "%.0f/s: ack %d/%d done %d, %.0f done/s, p50 %d p99 %d ms, %s -> %s",
                    rate, st.acknowledged, st.offered, st.completed, st.completedPerSecond(), pct(st.e2e, 50), p99,
                    st.cpu, ok ? "held" : "NOT held"));
            out.println("bench: ramp " + steps.get(steps.size() - 1));
            awaitDrained(p.baseUrl(), "bench-ramp", Duration.ofMinutes(5));
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

    private record Steady(int offered, int acknowledged, int completed, long from, long to, List<Long> submit,
            List<Long> e2e, List<long[]> jobs, long firstDone, long lastDone, String cpu) {
        double completedPerSecond() {
            return completed > 1 && lastDone > firstDone ? (completed - 1) / ((lastDone - firstDone) / 1000.0) : 0;
        }
    }

    /** LoadGenerator at {@code rate} for warm + measure seconds; jobs offered in the measured window count. */
    private Steady steady(ServiceProcess p, LogTail log, String queue, double rate, int warm, int measure, Duration wait)
            throws InterruptedException {
        LoadGenerator load = new LoadGenerator(p.baseUrl(), queue, rate, 64, 7, Duration.ofSeconds(30),
                () -> Map.of("type", "noop", "payload", Map.of()));
        load.start();
        long from = load.startMillis() + warm * 1000L;
        long to = from + measure * 1000L;
        sleepUntil(from);
        Cpu.Snapshot c0 = cpu(p);
        sleepUntil(to);
        Cpu.Snapshot c1 = cpu(p);
        load.stop(Duration.ofSeconds(60));
        Map<String, Long> offered = new HashMap<>();
        int offeredCount = 0;
        for (LoadGenerator.Submission s : load.submissions()) {
            if (s.offeredMillis() >= from && s.offeredMillis() < to) {
                offeredCount++;
                if (s.acknowledged()) {
                    offered.put(s.jobId(), s.offeredMillis());
                }
            }
        }
        List<Long> submit = new ArrayList<>();
        for (LoadGenerator.Answer a : load.answers()) {
            if (a.ok() && a.timeMillis() >= from && a.timeMillis() < to) {
                submit.add(a.latencyMillis());
            }
        }
        long deadline = System.currentTimeMillis() + wait.toMillis();
        Map<String, Long> finished = log.succeeded(queue);
        while (!finished.keySet().containsAll(offered.keySet()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            finished = log.succeeded(queue);
        }
        List<Long> e2e = new ArrayList<>();
        List<long[]> jobs = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (Map.Entry<String, Long> e : offered.entrySet()) {
            Long f = finished.get(e.getKey());
            if (f != null) {
                e2e.add(f - e.getValue());
                jobs.add(new long[] {e.getValue(), f});
                first = Math.min(first, f);
                last = Math.max(last, f);
            }
        }
        Collections.sort(e2e);
        Collections.sort(submit);
        return new Steady(offeredCount, offered.size(), e2e.size(), from, to, submit, e2e, jobs, first, last,
                Cpu.share(c0, c1, 0));
    }

    private static void sleepUntil(long millis) throws InterruptedException {
        long wait = millis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private void targets(double raw) {
        List<String> lines = new ArrayList<>();
        double single = num("all_sustained_single_e2e_jobs_per_s");
        double batch = num("all_sustained_batch100_e2e_jobs_per_s");
        lines.add(target("e2e sustained, single submits >= 0.2 x raw XADD", single / raw, ">=", 0.2,
                String.format(Locale.ROOT, "%.0f jobs/s, need %.0f", single, 0.2 * raw)));
        lines.add(target("e2e sustained, batch submits >= 0.5 x raw XADD", batch / raw, ">=", 0.5,
                String.format(Locale.ROOT, "%.0f jobs/s, need %.0f", batch, 0.5 * raw)));
        lines.add(target("submit-to-complete p50 <= 2 ms at " + (int) e2eRate + "/s",
                num("all_e2e_submit_to_complete_p50_ms"), "<=", 2, "ms"));
        lines.add(target("submit-to-complete p99 <= 10 ms at " + (int) e2eRate + "/s",
                num("all_e2e_submit_to_complete_p99_ms"), "<=", 10, "ms"));
        for (String k : List.of("peak_rss_api_kb", "peak_rss_worker_kb", "peak_rss_all_after_ramp_kb",
                "peak_rss_all_c1_xmx96_kb")) {
            double mb = num(k) / 1024.0;
            lines.add(target("RSS <= 200 MiB (" + k + ")", mb, "<=", 200, "MiB"));
        }
        put("targets", lines);
    }

    private static String target(String what, double value, String op, double limit, String note) {
        boolean met = ">=".equals(op) ? value >= limit : value <= limit;
        return String.format(Locale.ROOT, "%s: %.2f (%s) -> %s", what, value, note, met ? "MET" : "NOT MET");
    }

    private double num(String key) {
        Object v = results.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** {@code queues}: STREAMQ_WORKER_QUEUES, so each phase only sees its own queues. GC logged to logs/NAME-gc.log. */
    private ServiceProcess service(String name, String role, Topology topology, String queues, List<String> jvm) {
        ServiceProcess.Builder b = ServiceProcess.builder(jar).name(name).role(role).topology(topology).workDir(dir)
                .env("STREAMQ_WORKER_QUEUES", queues).env("STREAMQ_WORKER_DISCOVERY_INTERVAL", "1s")
                .maxHeap(jvm.get(0)).logFile(dir.resolve("logs").resolve(name + ".log"));
        jvm.subList(1, jvm.size()).forEach(b::jvmArg);
        b.jvmArg("-Xlog:gc:file=" + gcLog(name) + ":timemillis");
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

    /** {endMillis, micros} of every "Pause" line of a -Xlog:gc:...:timemillis file. */
    private static List<long[]> gcPauses(Path file) {
        List<long[]> pauses = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return pauses;
        }
        for (String line : lines) {
            Matcher m = GC_PAUSE.matcher(line);
            if (m.find()) {
                pauses.add(new long[] {Long.parseLong(m.group(1)), Math.round(Double.parseDouble(m.group(2)) * 1000)});
            }
        }
        return pauses;
    }

    private double rawXadd(int port) throws IOException, InterruptedException {
        List<String> cmd = List.of("redis-benchmark", "-p", String.valueOf(port), "-c", "50", "-P", "1", "-n", "100000",
                "-q", "XADD", "streamq:bench", "*", "f", "v");
        out.println("bench: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("redis-benchmark did not finish in 120 s");
        }
        Matcher m = RPS.matcher(text);
        double rps = -1;
        while (m.find()) {
            rps = Double.parseDouble(m.group(1));
        }
        if (rps < 0) {
            throw new IllegalStateException("no 'requests per second' in redis-benchmark output: " + text);
        }
        Process del = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "DEL", "streamq:bench").start();
        del.waitFor(10, TimeUnit.SECONDS);
        return rps;
    }

    // --- wrk -----------------------------------------------------------------------------------

    private static void requireWrk() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Paths.get(d, "wrk"))) {
                return;
            }
        }
        throw new IllegalStateException("wrk not found: install it (apt-get install wrk); deploy/local/lab bench does");
    }

    /** A wrk script POSTing {@code body}; its done() prints one WRKSTAT line with the counters. */
    private Path wrkScript(String name, String body) throws IOException {
        if (body.contains("'") || body.contains("\\")) {
            throw new IllegalArgumentException("body must not contain quotes or backslashes");
        }
        String lua = String.join("\n",
                "wrk.method = \"POST\"",
                "wrk.headers[\"Content-Type\"] = \"application/json\"",
                "wrk.body = '" + body + "'",
                "done = function(summary, latency, requests)",
                "  local e = summary.errors",
                "  io.write(string.format(\"WRKSTAT requests=%.0f duration_us=%.0f status=%.0f connect=%.0f read=%.0f"
                        + " write=%.0f timeout=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f\\n\",",
                "    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,",
                "    latency:percentile(50), latency:percentile(99), latency.max))",
                "end", "");
        Path file = dir.resolve("wrk").resolve(name + ".lua");
        Files.createDirectories(file.getParent());
        Files.writeString(file, lua);
        return file;
    }

    /** wrk's counters; {@code status} = responses with status > 399 (wrk's "Non-2xx or 3xx responses"). */
    private record WrkResult(long requests, double seconds, long status, long socketErrors, double p50ms, double p99ms,
            double maxMs, double cpuSeconds, int connections) {
        long ok() {
            return requests - status;
        }

        double okPerSecond(int jobsPerRequest) {
            return ok() * jobsPerRequest / seconds;
        }

        String describe() {
            return String.format(Locale.ROOT, "%d requests in %.2f s, %d non-2xx, %d socket errors, %d connections,"
                    + " latency p50 %.2f p99 %.2f max %.1f ms, wrk cpu %.2f s", requests, seconds, status, socketErrors,
                    connections, p50ms, p99ms, maxMs, cpuSeconds);
        }
    }

    /**
     * Runs wrk under bash so that bash's {@code times} reports wrk's own CPU (children's user+sys)
     * once it has exited. Output is kept in wrk/NAME.txt.
     */
    private WrkResult wrk(String name, ServiceProcess p, String path, Path script, int threads, int connections,
            int seconds) throws IOException, InterruptedException {
        List<String> cmd = List.of("bash", "-c", "wrk \"$@\"; rc=$?; times; exit $rc", "wrk",
                "-t" + threads, "-c" + connections, "-d" + seconds + "s", "-s", script.toString(), p.baseUrl() + path);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process proc = pb.start();
        String text = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new IllegalStateException("wrk did not finish");
        }
        Path file = dir.resolve("wrk").resolve(name + ".txt");
        Files.writeString(file, String.join(" ", cmd) + "\n" + text);
        Matcher m = WRK_STAT.matcher(text);
        if (proc.exitValue() != 0 || !m.find()) {
            throw new IllegalStateException("wrk failed (exit " + proc.exitValue() + "): " + text);
        }
        Map<String, Double> v = new HashMap<>();
        for (String kv : m.group(1).trim().split("\\s+")) {
            String[] parts = kv.split("=", 2);
            v.put(parts[0], Double.parseDouble(parts[1]));
        }
        double cpu = 0;
        Matcher t = TIMES.matcher(text);
        while (t.find()) { // the last line of `times` is the children's (wrk's) user and system time
            cpu = Long.parseLong(t.group(1)) * 60 + Double.parseDouble(t.group(2))
                    + Long.parseLong(t.group(3)) * 60 + Double.parseDouble(t.group(4));
        }
        WrkResult r = new WrkResult(v.get("requests").longValue(), v.get("duration_us") / 1e6, v.get("status").longValue(),
                (long) (v.get("connect") + v.get("read") + v.get("write") + v.get("timeout")),
                v.get("p50_us") / 1000, v.get("p99_us") / 1000, v.get("max_us") / 1000, cpu, connections);
        out.println("bench: wrk " + name + ": " + r.describe());
        return r;
    }

    // --- CPU shares from /proc -----------------------------------------------------------------

    private Cpu.Snapshot cpu(ServiceProcess p) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("streamq", p.pid());
        pids.put("redis", redisPid);
        pids.put("lab", ProcessHandle.current().pid());
        return Cpu.snapshot(pids);
    }

    /** utime+stime per process and busy/total jiffies of the machine, as top computes its %CPU. */
    static final class Cpu {
        private static final double HZ = 100; // USER_HZ, 100 on Linux
        private static final int CORES = Runtime.getRuntime().availableProcessors();

        record Snapshot(long nanos, long busy, long total, long irq, Map<String, Long> pids, Map<String, Long> ticks,
                Map<Long, Long> all, Map<Long, String> names) { }

        static Snapshot snapshot(Map<String, Long> pids) {
            Map<String, Long> ticks = new LinkedHashMap<>();
            pids.forEach((name, pid) -> ticks.put(name, procTicks(pid)));
            long busy = 0;
            long total = 0;
            long irq = 0;
            try {
                String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 8; i++) {
                    long x = Long.parseLong(f[i]);
                    total += x;
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += x;
                    }
                    if (i == 6 || i == 7) { // irq, softirq: loopback TCP is mostly softirq
                        irq += x;
                    }
                }
            } catch (IOException | RuntimeException e) {
                busy = -1;
            }
            // every other process too, so that "other" can be named
            Map<Long, Long> all = new HashMap<>();
            Map<Long, String> names = new HashMap<>();
            try (var dirs = Files.newDirectoryStream(Paths.get("/proc"), "[0-9]*")) {
                for (Path d : dirs) {
                    long pid = Long.parseLong(d.getFileName().toString());
                    try {
                        String st = Files.readString(d.resolve("stat"));
                        String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                        all.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                        names.put(pid, st.substring(st.indexOf('(') + 1, st.lastIndexOf(')')));
                    } catch (IOException | RuntimeException e) {
                        // exited meanwhile
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no attribution then
            }
            return new Snapshot(System.nanoTime(), busy, total, irq, pids, ticks, all, names);
        }

        private static long procTicks(long pid) {
            try {
                String s = Files.readString(Paths.get("/proc", String.valueOf(pid), "stat"));
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15: utime, stime
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** "streamq 120%, redis 40%, wrk 30%, lab 2%, other 5%, machine busy 197% of 200%". */
        static String share(Snapshot a, Snapshot b, double wrkCpuSeconds) {
            double wall = (b.nanos - a.nanos) / 1e9;
            StringBuilder sb = new StringBuilder();
            double known = 0;
            for (Map.Entry<String, Long> e : b.ticks.entrySet()) {
                Long before = a.ticks.get(e.getKey());
                if (before == null || before < 0 || e.getValue() < 0) {
                    continue;
                }
                double pct = (e.getValue() - before) / HZ / wall * 100;
                known += pct;
                sb.append(e.getKey()).append(String.format(Locale.ROOT, " %.0f%%, ", pct));
            }
            if (wrkCpuSeconds > 0) {
                // wrk ran for about the window; its CPU over its lifetime, spread over the window
                double pct = wrkCpuSeconds / wall * 100;
                known += pct;
                sb.append(String.format(Locale.ROOT, "wrk %.0f%%, ", pct));
            }
            double machine = a.busy < 0 || b.busy < 0 || b.total == a.total ? Double.NaN
                    : (double) (b.busy - a.busy) / (b.total - a.total) * CORES * 100;
            double irq = b.total == a.total ? 0 : (double) (b.irq - a.irq) / (b.total - a.total) * CORES * 100;
            sb.append(String.format(Locale.ROOT, "other %.0f%%", Math.max(0, machine - known)));
            // name what "other" is: irq/softirq time and the busiest processes not listed above
            List<String> others = new ArrayList<>();
            if (irq >= 2) {
                others.add(String.format(Locale.ROOT, "irq+softirq %.0f%%", irq));
            }
            java.util.Set<Long> listed = new java.util.HashSet<>(b.pids.values());
            b.all.entrySet().stream()
                    .filter(e -> !listed.contains(e.getKey())) // started in the window: counted from 0
                    .map(e -> Map.entry(e.getKey(), (e.getValue() - a.all.getOrDefault(e.getKey(), 0L)) / HZ / wall * 100))
                    .filter(e -> e.getValue() >= 2)
                    .sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(3)
                    .forEach(e -> others.add(String.format(Locale.ROOT, "%s[%d] %.0f%%", b.names.get(e.getKey()),
                            e.getKey(), e.getValue())));
            if (!others.isEmpty()) {
                sb.append(" (").append(String.join(", ", others)).append(')');
            }
            sb.append(String.format(Locale.ROOT, ", machine busy %.0f%% of %d%% (%.1f s)", machine, CORES * 100, wall));
            return sb.toString();
        }
    }

    // --- HTTP helpers --------------------------------------------------------------------------

    private static String batchBody(int size) {
        StringBuilder sb = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(NOOP);
        }
        return sb.append("]}").toString();
    }

    private int post(String url, byte[] body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void fillQueue(String base, String queue, int count) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicLong failed = new AtomicLong();
        for (int offset = 0; offset < count; offset += 100) {
            byte[] body = batchBody(Math.min(100, count - offset)).getBytes(StandardCharsets.UTF_8);
            pool.submit(() -> {
                if (post(base + "/queues/" + queue + "/jobs/batch", body) / 100 != 2) {
                    failed.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        if (failed.get() > 0) {
            out.println("bench: " + failed.get() + " fill batches failed");
        }
    }

    /** lag (not yet delivered) + pending + delayed of one queue (GET /queues/{q}; the API caches stats for 1 s). */
    private long backlog(String base, String queue) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/queues/" + queue))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Long.MAX_VALUE;
            }
            JsonNode n = JSON.readTree(r.body());
            long lag = n.path("lag").asLong(-1);
            return (lag >= 0 ? lag : n.path("ready").asLong()) + n.path("pending").asLong() + n.path("delayed").asLong();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Long.MAX_VALUE;
        }
    }

    private void awaitDrained(String base, String queue, Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (backlog(base, queue) > 0) {
            if (System.currentTimeMillis() > deadline) {
                out.println("bench: " + queue + " not drained after " + timeout.toSeconds() + " s");
                return;
            }
            Thread.sleep(250);
        }
    }

    /** Waits (bounded) until the log shows {@code expected} successes of {@code queue}: lines may trail the stats. */
    private static void awaitCompleted(LogTail log, String queue, long expected, Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (log.succeeded(queue).size() < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
        }
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /**
     * Reads a service log incrementally (from where the last read stopped, whole lines only) and
     * keeps queue -> job id -> time of its job_succeeded line. Cheap to poll on a log of millions of lines.
     */
    static final class LogTail {
        private final Path file;
        private long position;
        private final Map<String, Map<String, Long>> succeeded = new HashMap<>();

        LogTail(Path file) {
            this.file = file;
        }

        synchronized Map<String, Long> succeeded(String queue) {
            read();
            return new HashMap<>(succeeded.getOrDefault(queue, Map.of()));
        }

        private void read() {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                ByteBuffer buf = ByteBuffer.allocate(8 << 20);
                byte[] carry = new byte[0];
                while (position + carry.length < size) {
                    buf.clear();
                    buf.put(carry);
                    int n = ch.read(buf, position + carry.length);
                    if (n <= 0) {
                        break;
                    }
                    byte[] bytes = new byte[buf.position()];
                    buf.flip();
                    buf.get(bytes);
                    int lineStart = 0;
                    for (int i = 0; i < bytes.length; i++) {
                        if (bytes[i] == '\n') {
                            line(new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8));
                            lineStart = i + 1;
                        }
                    }
                    position += lineStart;
                    carry = java.util.Arrays.copyOfRange(bytes, lineStart, bytes.length);
                    if (carry.length == buf.capacity()) {
                        position += carry.length; // a line longer than the buffer: skip it
                        carry = new byte[0];
                    }
                }
            } catch (NoSuchFileException e) {
                // not started yet
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void line(String line) {
            if (!line.contains("\"job_succeeded\"")) {
                return;
            }
            String queue = field(line, "queue");
            String id = field(line, "job_id");
            String ts = field(line, "timestamp");
            if (queue == null || id == null || ts == null) {
                return;
            }
            try {
                succeeded.computeIfAbsent(queue, q -> new HashMap<>()).putIfAbsent(id, Instant.parse(ts).toEpochMilli());
            } catch (RuntimeException ignored) {
                // not a timestamp
            }
        }

        private static String field(String line, String key) {
            String marker = "\"" + key + "\":\"";
            int i = line.indexOf(marker);
            if (i < 0) {
                return null;
            }
            int start = i + marker.length();
            int end = line.indexOf('"', start);
            return end < 0 ? null : line.substring(start, end);
        }
    }
}

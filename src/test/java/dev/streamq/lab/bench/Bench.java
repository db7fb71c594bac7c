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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
 *   <li>HTTP submit rate, one job per request and batches of 100 (API-only process, no workers);</li>
 *   <li>processing rate: 50k noop jobs pre-filled while no worker runs, then one worker process drains them;</li>
 *   <li>end to end at a steady 500 jobs/s (one role=all process): p50/p99 submit-to-complete;</li>
 *   <li>peak RSS (VmHWM) of each service process.</li>
 * </ol>
 *
 * Load generator, redis and services share the machine's cores: figures are a floor, comparable
 * run to run on the same box, not a capacity plan.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RPS = Pattern.compile("([0-9]+(?:\\.[0-9]+)?) requests per second");

    private final PrintStream out;
    private final Path dir;
    private final Path jar;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private int fill = 50_000;
    private double e2eRate = 500;
    private int e2eSeconds = 20;
    private int submitSeconds = 10;

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
                case "--e2e-rate" -> bench.e2eRate = Double.parseDouble(v);
                case "--e2e-seconds" -> bench.e2eSeconds = Integer.parseInt(v);
                case "--submit-seconds" -> bench.submitSeconds = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' for bench");
            }
        }
        return bench.run();
    }

    private void put(String key, Object value) {
        results.put(key, value);
        out.printf(Locale.ROOT, "bench: %-40s %s%n", key, value);
    }

    private int run() {
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"))) {
            int port = topology.currentMaster().port();
            double raw = rawXadd(port);
            put("raw_xadd_rps", raw);

            // Phase 1: API only, no worker: submit rates, then the pre-filled queue.
            ServiceProcess api = service("api", "api", topology, "*").awaitReady(Duration.ofSeconds(60));
            double single = submitSingle(api.baseUrl(), 64, submitSeconds);
            put("http_submit_single_jobs_per_s", round(single));
            double batch = submitBatch(api.baseUrl(), 8, 100, submitSeconds);
            put("http_submit_batch100_jobs_per_s", round(batch));
            long t0 = System.nanoTime();
            fillQueue(api.baseUrl(), "bench-drain", fill);
            put("fill_seconds", round((System.nanoTime() - t0) / 1e9));
            long backlog = backlog(api.baseUrl());
            put("backlog_before_drain", backlog);
            put("peak_rss_api_kb", api.peakRssKb());

            // Phase 2: one worker process drains everything.
            ServiceProcess worker = service("worker", "worker", topology, "bench-drain");
            long start = System.currentTimeMillis();
            long deadline = start + 600_000;
            while (backlog(api.baseUrl()) > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            double wall = (System.currentTimeMillis() - start) / 1000.0;
            List<Long> done = successTimes(worker.logFile(), null);
            double processing = done.size() > 1
                    ? (done.size() - 1) / ((Collections.max(done) - Collections.min(done)) / 1000.0) : 0;
            put("drained_jobs", done.size());
            put("drain_wall_seconds_incl_jvm_start", round(wall));
            put("processing_jobs_per_s", round(processing));
            put("peak_rss_worker_kb", worker.peakRssKb());
            worker.stop();
            api.stop();

            // Phase 3: one role=all process, steady load, submit-to-complete latency.
            ServiceProcess all = service("all", "all", topology, "bench-e2e").awaitReady(Duration.ofSeconds(60));
            endToEnd(all);
            put("peak_rss_all_kb", all.peakRssKb());
            all.stop();

            put("ratio_single_to_raw", round(single / raw));
            put("ratio_batch_to_raw", round(batch / raw));
            put("ratio_processing_to_raw", round(processing / raw));
            put("ratio_e2e_completed_to_raw", round(((Number) results.get("e2e_completed_jobs_per_s")).doubleValue() / raw));
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

    /** {@code queues}: STREAMQ_WORKER_QUEUES, so the drain and the e2e phase each only see their own queue. */
    private ServiceProcess service(String name, String role, Topology topology, String queues) {
        return ServiceProcess.builder(jar).name(name).role(role).topology(topology).workDir(dir)
                .env("STREAMQ_WORKER_QUEUES", queues)
                .maxHeap("-Xmx512m").env("STREAMQ_WORKER_DISCOVERY_INTERVAL", "1s")
                .logFile(dir.resolve("logs").resolve(name + ".log")).start();
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

    private double submitSingle(String base, int clients, int seconds) throws InterruptedException {
        byte[] body = "{\"type\":\"noop\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8);
        return closedLoop(clients, seconds, 1, () -> post(base + "/queues/bench-single/jobs", body));
    }

    private double submitBatch(String base, int clients, int size, int seconds) throws InterruptedException {
        byte[] body = batchBody(size, null, 0);
        return closedLoop(clients, seconds, size, () -> post(base + "/queues/bench-batch/jobs/batch", body));
    }

    private static byte[] batchBody(int size, String keyPrefix, int offset) {
        StringBuilder sb = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"type\":\"noop\",\"payload\":{}");
            if (keyPrefix != null) {
                sb.append(",\"idempotencyKey\":\"").append(keyPrefix).append(offset + i).append('"');
            }
            sb.append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code clients} threads each send requests back to back for {@code seconds}; jobs/s of 2xx answers. */
    private double closedLoop(int clients, int seconds, int jobsPerRequest, java.util.function.IntSupplier send)
            throws InterruptedException {
        // one warm-up second
        long warm = System.currentTimeMillis() + 1000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long[] window = new long[2];
        long end = warm + seconds * 1000L;
        for (int i = 0; i < clients; i++) {
            pool.submit(() -> {
                while (System.currentTimeMillis() < end) {
                    int status = send.getAsInt();
                    long now = System.currentTimeMillis();
                    if (now >= warm) {
                        if (status / 100 == 2) {
                            ok.addAndGet(jobsPerRequest);
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
        if (failed.get() > 0) {
            out.println("bench: " + failed.get() + " requests failed");
        }
        window[0] = warm;
        window[1] = end;
        return ok.get() / (double) seconds;
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
            int size = Math.min(100, count - offset);
            byte[] body = batchBody(size, null, offset);
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

    /** ready + pending + delayed over every queue (GET /queues/{q}; the API caches stats for 1 s). */
    private long backlog(String base) {
        long total = 0;
        for (String q : List.of("bench-drain")) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/queues/" + q))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    JsonNode n = JSON.readTree(r.body());
                    // lag (entries not yet delivered to the group) is what is still to do; pending is in flight
                    long lag = n.path("lag").asLong(-1);
                    total += (lag >= 0 ? lag : n.path("ready").asLong()) + n.path("pending").asLong() + n.path("delayed").asLong();
                } else {
                    return Long.MAX_VALUE;
                }
            } catch (IOException e) {
                return Long.MAX_VALUE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Long.MAX_VALUE;
            }
        }
        return total;
    }

    private void endToEnd(ServiceProcess all) throws InterruptedException {
        LoadGenerator load = new LoadGenerator(all.baseUrl(), "bench-e2e", e2eRate, 64, 7, Duration.ofSeconds(30),
                () -> Map.of("type", "noop", "payload", Map.of()));
        load.start();
        // The first 5 s warm the JVM (JIT, connection pools) and are not measured.
        long measureFrom = load.startMillis() + 5000;
        Thread.sleep(e2eSeconds * 1000L + 5000);
        load.stop(Duration.ofSeconds(60));
        Map<String, Long> offered = new HashMap<>();
        List<Long> submitLatency = new ArrayList<>();
        for (LoadGenerator.Submission s : load.submissions()) {
            if (s.acknowledged() && s.offeredMillis() >= measureFrom) {
                offered.put(s.jobId(), s.offeredMillis());
            }
        }
        for (LoadGenerator.Answer a : load.answers()) {
            if (a.ok() && a.timeMillis() >= measureFrom) {
                submitLatency.add(a.latencyMillis());
            }
        }
        long deadline = System.currentTimeMillis() + 60_000;
        Map<String, Long> finished = new HashMap<>();
        while (System.currentTimeMillis() < deadline) {
            finished = successById(all.logFile(), "bench-e2e");
            if (finished.keySet().containsAll(offered.keySet())) {
                break;
            }
            Thread.sleep(500);
        }
        List<Long> e2e = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (Map.Entry<String, Long> e : offered.entrySet()) {
            Long f = finished.get(e.getKey());
            if (f != null) {
                e2e.add(f - e.getValue());
                first = Math.min(first, f);
                last = Math.max(last, f);
            }
        }
        Collections.sort(e2e);
        Collections.sort(submitLatency);
        put("e2e_offered_jobs_per_s", e2eRate);
        put("e2e_acknowledged", offered.size());
        put("e2e_completed", e2e.size());
        put("e2e_completed_jobs_per_s", e2e.size() > 1 ? round((e2e.size() - 1) / ((last - first) / 1000.0)) : 0);
        put("e2e_submit_p50_ms", pct(submitLatency, 50));
        put("e2e_submit_p99_ms", pct(submitLatency, 99));
        put("e2e_submit_to_complete_p50_ms", pct(e2e, 50));
        put("e2e_submit_to_complete_p99_ms", pct(e2e, 99));
        put("e2e_submit_to_complete_max_ms", e2e.isEmpty() ? -1 : e2e.get(e2e.size() - 1));
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static List<Long> successTimes(Path log, String queue) {
        return new ArrayList<>(successById(log, queue).values());
    }

    /** job id -> time of its job_succeeded log line (queue null: any queue). */
    private static Map<String, Long> successById(Path log, String queue) {
        Map<String, Long> times = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return times;
        }
        for (String line : lines) {
            if (!line.contains("\"job_succeeded\"")) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                JsonNode mdc = n.path("mdc");
                if (queue != null && !queue.equals(mdc.path("queue").asText())) {
                    continue;
                }
                times.putIfAbsent(mdc.path("job_id").asText(), Instant.parse(n.path("timestamp").asText()).toEpochMilli());
            } catch (IOException | RuntimeException ignored) {
                // partial line
            }
        }
        return times;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}

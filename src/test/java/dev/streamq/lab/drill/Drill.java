package dev.streamq.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.lab.Await;
import dev.streamq.lab.CpuHog;
import dev.streamq.lab.NetPartition;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.RespClient;
import dev.streamq.lab.SentinelNode;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.TcpProxy;
import dev.streamq.lab.Topology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fault drill against real processes: topology + API + 2 workers, steady load, one fault,
 * heal, then the verdict from ground truth (the workers' job_succeeded log lines), not from the
 * app's own view of itself.
 *
 * <p>Why ground truth from logs: a lost job is one the API acknowledged that no worker ever ran;
 * asking the app "is it succeeded?" would trust the very store whose failover is under test.
 */
public final class Drill {

    /** The scenarios; names are what {@code lab drill NAME} takes. */
    public enum Scenario {
        MASTER_KILL("master-kill", Topology.Shape.HA, "kill -9 the redis master; restart it after failover so it rejoins as replica"),
        WORKER_KILL("worker-kill", Topology.Shape.HA, "kill -9 a worker running 500 ms sleep jobs; restart it after 1 s; its pending jobs are reclaimed"),
        API_KILL("api-kill", Topology.Shape.HA, "kill -9 the API process; restart it; clients retry with the same Idempotency-Key"),
        SENTINEL_KILL("sentinel-kill", Topology.Shape.HA, "kill 1 of 3 sentinels, then the master: the 2 left (quorum 2) fail over"),
        MVP_MASTER_KILL("mvp-master-kill", Topology.Shape.MVP, "MVP (1 replica, 1 sentinel): kill -9 the master; restart it after failover"),
        PARTITION("partition", Topology.Shape.HA, "isolate the master from everyone (iptables DROP) until failover, then heal"),
        LATENCY("latency", Topology.Shape.SINGLE, "add 200 ms per round trip (TcpProxy, 100 ms each way) in front of redis, then remove it"),
        LAGGING_REPLICA("lagging-replica", Topology.Shape.HA, "prefer redis-1 (replica-priority), hold back its replication stream"
                + " (TcpProxy), kill -9 the master while it lags: Sentinel promotes the laggard");

        final String id;
        final Topology.Shape shape;
        final String description;

        Scenario(String id, Topology.Shape shape, String description) {
            this.id = id;
            this.shape = shape;
            this.description = description;
        }

        public String id() {
            return id;
        }

        public static Scenario parse(String name) {
            for (Scenario s : values()) {
                if (s.id.equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown drill '" + name + "'; one of " + names());
        }

        public static List<String> names() {
            List<String> names = new ArrayList<>();
            for (Scenario s : values()) {
                names.add(s.id);
            }
            return names;
        }
    }

    /** Knobs of one run. */
    public static final class Config {
        public Duration duration = Duration.ofSeconds(60);
        public double rate = 50;
        public long seed = 1;
        public Path jar = ServiceProcess.defaultJar();
        public int clientThreads = 64;
        public Duration completionTimeout = Duration.ofSeconds(120);
        /** Share of the offered jobs (chosen by seed and index) that are {@code fail} jobs, to exercise retries. */
        public double failShare = 0.05;
        public PrintStream log = System.out;
        /** lagging-replica: how long the preferred replica's replication stream is held back before the kill. */
        public Duration hold = Duration.ofMillis(500);
        /** master-kill: consecutive master kills (a soak when more than one). */
        public int kills = 1;
        /** STREAMQ_DURABILITY_ALL_REPLICAS for the services; null leaves the shipped default. */
        public Boolean allReplicas;
    }

    // The worker retry policy every drill runs with (env below) and what the backoff check allows.
    static final long BACKOFF_INITIAL_MS = 200;
    static final long BACKOFF_MAX_MS = 2000;
    static final double BACKOFF_MULTIPLIER = 2.0;
    static final long PROMOTE_INTERVAL_MS = 250;
    /** Allowed beyond the ceiling: a due retry waits for the next promote tick, then a read and a start. */
    static final long BACKOFF_SLACK_MS = PROMOTE_INTERVAL_MS + 250;
    /** fail jobs: the built-in handler fails the first FAIL_FAILURES attempts, then succeeds (attempt 3 of 5). */
    static final int FAIL_FAILURES = 2;
    static final int FAIL_MAX_ATTEMPTS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUEUE = "drill";

    private final Scenario scenario;
    private final Config config;
    private final Path dir;
    private final List<DrillResult.Mark> marks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, MetricsScraper> scrapers = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private Topology topology;
    private TcpProxy proxy;
    private NetPartition partition;
    private final List<ServiceProcess> services = new ArrayList<>();
    private ServiceProcess api;
    private volatile boolean sampling = true;

    private Drill(Scenario scenario, Config config, Path dir) {
        this.scenario = scenario;
        this.config = config;
        this.dir = dir.toAbsolutePath();
    }

    /**
     * Runs the drill in {@code dir}, emptied first: Redis would otherwise start from a former
     * run's AOF and the services append to its logs, which the verdict reads as ground truth.
     */
    public static DrillResult run(Scenario scenario, Config config, Path dir) {
        wipe(dir);
        return new Drill(scenario, config, dir).run();
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the drill's work dir " + dir, e);
        }
    }

    private void say(String text) {
        config.log.printf("[%s] %s%n", scenario.id, text);
    }

    private void mark(String label) {
        marks.add(new DrillResult.Mark(System.currentTimeMillis(), label));
        say(label);
    }

    private DrillResult run() {
        DrillResult result = new DrillResult();
        result.drill = scenario.id;
        result.topology = scenario.shape.name();
        result.description = scenario.description;
        result.rate = rate();
        result.durationSeconds = config.duration.toSeconds();
        result.seed = config.seed;
        Thread sampler = null;
        LoadGenerator load = null;
        try {
            Files.createDirectories(dir);
            start();
            sampler = new Thread(this::sampleLoop, "drill-metrics");
            sampler.setDaemon(true);
            sampler.start();

            load = new LoadGenerator(api.baseUrl(), QUEUE, rate(), config.clientThreads, config.seed,
                    Duration.ofSeconds(Math.max(30, config.duration.toSeconds())), jobBody());
            say(String.format(Locale.ROOT, "load: %.0f jobs/s, %.0f %% of them fail jobs (fail %d attempts, maxAttempts %d)",
                    rate(), config.failShare * 100, FAIL_FAILURES, FAIL_MAX_ATTEMPTS));
            load.start();
            long loadStart = load.startMillis();
            long loadEnd = loadStart + config.duration.toMillis();
            long pre = Math.max(5000, config.duration.toMillis() * 3 / 10);
            sleepUntil(loadStart + pre);
            long fault = System.currentTimeMillis();
            applyFault(loadEnd);
            // Keep the load on after the fault action: at least 5 s, at least to the planned end.
            sleepUntil(Math.max(loadEnd, System.currentTimeMillis() + 5000));
            heal();
            long loadStop = System.currentTimeMillis();
            load.stop(Duration.ofSeconds(90));
            mark("load stopped");

            List<LoadGenerator.Submission> subs = load.submissions();
            Set<String> acked = new HashSet<>();
            for (LoadGenerator.Submission s : subs) {
                if (s.acknowledged()) {
                    acked.add(s.jobId());
                }
            }
            say(acked.size() + " acknowledged of " + subs.size() + " offered; waiting for completion");
            LogTruth truth = awaitCompletion(acked);
            scrapeAll();
            sampling = false;

            fill(result, load, subs, acked, truth, loadStart, loadStop, fault);
        } catch (Exception e) {
            result.error = e.toString();
            result.passed = false;
            say("FAILED with " + e);
            e.printStackTrace(config.log);
        } finally {
            sampling = false;
            if (load != null) {
                load.close();
            }
            if (topology != null) {
                result.sentinelEvents = sentinelEvents();
            }
            teardown();
            result.marks = new ArrayList<>(marks);
            result.notes = new ArrayList<>(notes);
        }
        return result;
    }

    private double rate() {
        // 500 ms sleep jobs: 2 workers x 16 slots do ~60/s at most; offer less so a backlog is the fault's doing.
        return scenario == Scenario.WORKER_KILL ? Math.min(config.rate, 20) : config.rate;
    }

    private LongFunction<Map<String, Object>> jobBody() {
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

    /** The largest backoff after failed attempt n (1-based): min(max, initial * multiplier^(n-1)). */
    static long ceilingMs(int attempt) {
        double millis = BACKOFF_INITIAL_MS * Math.pow(BACKOFF_MULTIPLIER, Math.max(0, attempt - 1));
        return (long) Math.min(BACKOFF_MAX_MS, millis);
    }

    // ---------------------------------------------------------------- setup / teardown

    private void start() {
        say("starting " + scenario.shape + " topology in " + dir);
        Topology.Options options = new Topology.Options();
        if (scenario == Scenario.LAGGING_REPLICA) {
            options.preferFirstReplica();
        }
        topology = Topology.start(scenario.shape, dir.resolve("redis"), options);
        Map<String, String> env = new LinkedHashMap<>(topology.serviceEnv());
        if (config.allReplicas != null) {
            env.put("STREAMQ_DURABILITY_ALL_REPLICAS", config.allReplicas.toString());
            notes.add("durability: STREAMQ_DURABILITY_ALL_REPLICAS=" + config.allReplicas
                    + " (no STREAMQ_DURABILITY_MIN_REPLICAS; Redis min-replicas-to-write " + topology.minReplicas() + ")");
        }
        if (scenario == Scenario.LATENCY) {
            // Sentinel would hand the client the real master address, bypassing any proxy; so the
            // latency drill runs SINGLE and the services connect standalone to the proxy port.
            proxy = TcpProxy.start(topology.currentMaster().port());
            env.put("QUARKUS_REDIS_HOSTS", proxy.uri());
            env.put("QUARKUS_REDIS_CLIENT_TYPE", "standalone");
            notes.add("latency: SINGLE topology, services connect standalone to a TcpProxy on port " + proxy.port()
                    + " in front of redis " + proxy.targetPort() + "; sentinel would announce the real address");
        }
        env.put("STREAMQ_WORKER_VISIBILITY_TIMEOUT", "5s");
        env.put("STREAMQ_WORKER_LEASE_INTERVAL", "2s");
        env.put("STREAMQ_WORKER_RECLAIM_INTERVAL", "1s");
        env.put("STREAMQ_WORKER_DISCOVERY_INTERVAL", "1s");
        env.put("STREAMQ_WORKER_SHUTDOWN_GRACE", "2s");
        env.put("STREAMQ_WORKER_BACKOFF_INITIAL", BACKOFF_INITIAL_MS + "ms");
        env.put("STREAMQ_WORKER_BACKOFF_MAX", BACKOFF_MAX_MS + "ms");
        env.put("STREAMQ_WORKER_BACKOFF_MULTIPLIER", String.valueOf(BACKOFF_MULTIPLIER));
        env.put("STREAMQ_WORKER_PROMOTE_INTERVAL", PROMOTE_INTERVAL_MS + "ms");
        api = service("api", "api", env);
        services.add(api);
        services.add(service("worker-1", "worker", env));
        services.add(service("worker-2", "worker", env));
        for (ServiceProcess s : services) {
            s.awaitReady(Duration.ofSeconds(90));
        }
        say("services ready: " + services);
    }

    private ServiceProcess service(String name, String role, Map<String, String> env) {
        ServiceProcess s = ServiceProcess.builder(config.jar).name(name).role(role).env(env).workDir(dir)
                .logFile(dir.resolve("logs").resolve(name + ".log")).start();
        scrapers.put(name, new MetricsScraper(s));
        return s;
    }

    private void teardown() {
        for (ServiceProcess s : services) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // best effort: the Reaper kills whatever is left at JVM exit
            }
        }
        if (partition != null) {
            partition.close();
        }
        if (laggardLink != null) {
            laggardLink.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    // ---------------------------------------------------------------- faults

    private RedisNode killedMaster;
    private boolean healed;
    private TcpProxy laggardLink;
    private String promoted;
    private Boolean promotedLaggard;
    private final List<DrillResult.Kill> kills = new ArrayList<>();

    private void applyFault(long loadEnd) {
        switch (scenario) {
            case MASTER_KILL -> {
                for (int kill = 1; kill <= config.kills; kill++) {
                    killInSoak(kill);
                }
            }
            case MVP_MASTER_KILL -> killMasterAndRejoin();
            case LAGGING_REPLICA -> lagThenKillMaster();
            case WORKER_KILL -> {
                ServiceProcess victim = services.get(1);
                awaitBounded("worker-1 to run jobs", Duration.ofSeconds(10), () -> count(victim, "job_started") > 0);
                mark("kill -9 " + victim.name() + " (pid " + victim.pid() + ")");
                victim.kill9();
                sleep(1000);
                victim.restart();
                mark("restarted " + victim.name());
                victim.awaitReady(Duration.ofSeconds(60));
                mark(victim.name() + " ready");
            }
            case API_KILL -> {
                mark("kill -9 api (pid " + api.pid() + ")");
                api.kill9();
                sleep(1000);
                api.restart();
                mark("restarted api");
                api.awaitReady(Duration.ofSeconds(60));
                mark("api ready");
            }
            case SENTINEL_KILL -> {
                SentinelNode sentinel = topology.sentinels().get(0);
                mark("kill -9 " + sentinel.name());
                sentinel.kill9();
                sleep(2000);
                killMasterAndRejoin();
            }
            case PARTITION -> partitionMaster();
            case LATENCY -> {
                mark("latency +200 ms/round trip");
                proxy.setLatency(Duration.ofMillis(100));
                long hold = Math.max(5000, (loadEnd - System.currentTimeMillis()) / 2);
                sleep(hold);
                proxy.setLatency(Duration.ZERO);
                mark("latency removed");
                healed = true;
            }
            default -> throw new IllegalStateException();
        }
    }

    private void killMasterAndRejoin() {
        RedisNode master = topology.currentMaster();
        killedMaster = master;
        mark("kill -9 master " + master.name() + ":" + master.port());
        master.kill9();
        Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(60));
        mark("failover to " + failover.newMaster().name() + " seen after " + failover.took().toMillis() + " ms");
        master.restart();
        mark("restarted old master " + master.name());
        topology.awaitSettled(Duration.ofSeconds(60));
        mark(master.name() + " rejoined; replicas linked to " + topology.currentMaster().name());
        healed = true;
    }

    /** Kill number {@code kill} of a master-kill run; with several, every second one runs under a CPU hog. */
    private void killInSoak(int kill) {
        if (config.kills == 1) {
            killMasterAndRejoin();
            return;
        }
        boolean hogged = kill % 2 == 0;
        long at = System.currentTimeMillis();
        try (CpuHog hog = hogged ? CpuHog.start(Runtime.getRuntime().availableProcessors()) : null) {
            killMasterAndRejoin();
            // Steady load on the new topology before the next kill, so each kill starts from a settled state.
            sleep(2000);
        }
        kills.add(new DrillResult.Kill(kill, at, hogged, killedMaster.name()));
    }

    /**
     * The window WAIT 1 of 2 leaves open: the replica Sentinel prefers lags (its replication
     * stream runs through a proxy that stops forwarding), the master dies while it lags, and
     * what the proxy held is dropped with the connection, as it is when a master dies with bytes
     * in flight to a slow replica.
     */
    private void lagThenKillMaster() {
        RedisNode master = topology.currentMaster();
        RedisNode laggard = topology.nodes().get(1);
        laggardLink = TcpProxy.start(master.port());
        try (RespClient client = laggard.client()) {
            // Same master, another port: the replica continues with a partial resync through the proxy.
            client.call("REPLICAOF", "127.0.0.1", String.valueOf(laggardLink.port()));
        }
        Await.condition(laggard.name() + " to replicate through the proxy", Duration.ofSeconds(15), Duration.ofMillis(50),
                () -> laggard.isReplicaLinkUp() && laggardLink.activeConnections() > 0);
        master.awaitReplicaAcks(2, Duration.ofSeconds(15));
        mark("hold back " + laggard.name() + "'s replication stream for " + config.hold.toMillis() + " ms");
        laggardLink.blackhole();
        sleep(config.hold.toMillis());
        killedMaster = master;
        mark("kill -9 master " + master.name() + ":" + master.port() + " while " + laggard.name() + " lags");
        master.kill9();
        laggardLink.cut();
        Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(60));
        promoted = failover.newMaster().name();
        promotedLaggard = failover.newMaster() == laggard;
        mark("failover to " + promoted + (promotedLaggard ? " (the laggard)" : " (not the laggard)") + " seen after "
                + failover.took().toMillis() + " ms");
        laggardLink.close();
        master.restart();
        mark("restarted old master " + master.name());
        topology.awaitSettled(Duration.ofSeconds(60));
        mark(master.name() + " rejoined; replicas linked to " + topology.currentMaster().name());
        healed = true;
    }

    private void partitionMaster() {
        RedisNode master = topology.currentMaster();
        killedMaster = master;
        if (NetPartition.available()) {
            partition = new NetPartition();
            notes.add("partition: NetPartition (iptables DROP on 127.0.0.1:" + master.port()
                    + ") isolated the master from clients, replicas and sentinels");
            mark("partition master " + master.name() + ":" + master.port());
            partition.isolate(master.port());
            Topology.Failover failover = topology.awaitFailover(master.port(), Duration.ofSeconds(60));
            mark("failover to " + failover.newMaster().name() + " seen after " + failover.took().toMillis() + " ms");
            // Keep the old master cut off a little longer: its min-replicas-to-write must refuse writes.
            sleep(3000);
            partition.heal();
            mark("partition healed");
            topology.awaitSettled(Duration.ofSeconds(60));
            mark(master.name() + " rejoined; replicas linked to " + topology.currentMaster().name());
        } else {
            notes.add("partition: NetPartition unavailable (" + NetPartition.unavailableReason()
                    + "); fell back to killing the master (TcpProxy.cut cannot partition a sentinel-discovered master)");
            killMasterAndRejoin();
        }
        healed = true;
    }

    private void heal() {
        if (healed) {
            return;
        }
        if (partition != null) {
            partition.heal();
        }
        if (proxy != null) {
            proxy.setLatency(Duration.ZERO);
        }
        healed = true;
    }

    // ---------------------------------------------------------------- ground truth

    /** What the worker logs say: job_succeeded and job_started per job id, with times. */
    static final class LogTruth {
        final Map<String, Integer> succeeded = new HashMap<>();
        final Map<String, Integer> started = new HashMap<>();
        final Map<String, Long> firstSuccess = new HashMap<>();
        final List<Long> successTimes = new ArrayList<>();
        /** job id -> attempt number -> earliest job_started time. */
        final Map<String, TreeMap<Integer, Long>> startsByAttempt = new HashMap<>();
        /** job id -> attempts whose handler failed with a retry scheduled (job_retry_scheduled). */
        final Map<String, Set<Integer>> retryScheduled = new HashMap<>();
        /** retry_scheduled, reclaimed, dead_lettered:REASON, released, duplicate, unrecorded -> count. */
        final Map<String, Integer> byReason = new TreeMap<>();
        /** job_retry_scheduled error, digits folded -> count. */
        final Map<String, Integer> retryErrors = new TreeMap<>();
    }

    private static final Pattern DEAD_REASON = Pattern.compile("dead-lettered: (\\S+)$");

    /** Reads one worker event into the truth; package-private for the parsing test. */
    static void accept(LogTruth truth, JsonNode line) {
        JsonNode mdc = line.path("mdc");
        String event = mdc.path("event").asText("");
        String id = mdc.path("job_id").asText(null);
        if (id == null || !QUEUE.equals(mdc.path("queue").asText(""))) {
            return;
        }
        int attempt = mdc.path("attempt").asInt(0);
        switch (event) {
            case "job_succeeded" -> {
                truth.succeeded.merge(id, 1, Integer::sum);
                long t = time(line);
                truth.firstSuccess.merge(id, t, Math::min);
                truth.successTimes.add(t);
            }
            case "job_started" -> {
                truth.started.merge(id, 1, Integer::sum);
                if (attempt > 0) {
                    truth.startsByAttempt.computeIfAbsent(id, k -> new TreeMap<>()).merge(attempt, time(line), Math::min);
                }
            }
            case "job_retry_scheduled" -> {
                truth.byReason.merge("retry_scheduled", 1, Integer::sum);
                truth.retryErrors.merge(mdc.path("error").asText("?").replaceAll("\\d+", "#"), 1, Integer::sum);
                if (attempt > 0) {
                    truth.retryScheduled.computeIfAbsent(id, k -> new HashSet<>()).add(attempt);
                }
            }
            case "job_dead_lettered" -> {
                // JobRunner: error = the handler's error, message "job dead-lettered: REASON";
                // Reclaimer: error "poison". Prefer the reason in the message.
                Matcher m = DEAD_REASON.matcher(line.path("message").asText(""));
                String reason = m.find() ? m.group(1) : mdc.path("error").asText("unknown");
                truth.byReason.merge("dead_lettered:" + reason, 1, Integer::sum);
            }
            case "job_reclaimed" -> truth.byReason.merge("reclaimed", 1, Integer::sum);
            case "job_released" -> truth.byReason.merge("released", 1, Integer::sum);
            case "job_duplicate" -> truth.byReason.merge("duplicate", 1, Integer::sum);
            case "job_unrecorded" -> truth.byReason.merge("unrecorded", 1, Integer::sum);
            default -> {
                // job_enqueued (api) and others: not a worker outcome
            }
        }
    }

    private static long time(JsonNode line) {
        return Instant.parse(line.path("timestamp").asText()).toEpochMilli();
    }

    private LogTruth readTruth() {
        LogTruth truth = new LogTruth();
        for (ServiceProcess s : services) {
            if ("api".equals(s.role())) {
                continue;
            }
            for (JsonNode line : jobLines(s.logFile())) {
                accept(truth, line);
            }
        }
        return truth;
    }

    private static List<JsonNode> jobLines(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("{") || !line.contains("\"job_")) {
                continue;
            }
            try {
                out.add(JSON.readTree(line));
            } catch (IOException ignored) {
                // a line cut by kill -9
            }
        }
        return out;
    }

    private static int count(ServiceProcess s, String event) {
        int n = 0;
        for (JsonNode line : jobLines(s.logFile())) {
            if (event.equals(line.path("mdc").path("event").asText(""))) {
                n++;
            }
        }
        return n;
    }

    /** Jobs the logs do not show as succeeded but GET /jobs/{id} does (only used when logs lack event fields). */
    private final Map<String, Long> apiSucceeded = new HashMap<>();

    private LogTruth awaitCompletion(Set<String> acked) {
        long deadline = System.currentTimeMillis() + config.completionTimeout.toMillis();
        LogTruth truth;
        while (true) {
            truth = readTruth();
            boolean logsUsable = !truth.started.isEmpty();
            int missing = 0;
            for (String id : acked) {
                if (!truth.succeeded.containsKey(id)) {
                    if (!logsUsable && !apiSucceeded.containsKey(id)) {
                        long finished = finishedAt(id);
                        if (finished > 0) {
                            apiSucceeded.put(id, finished);
                        }
                    }
                    if (!apiSucceeded.containsKey(id)) {
                        missing++;
                    }
                }
            }
            if (!logsUsable && !apiSucceeded.isEmpty()) {
                if (notes.stream().noneMatch(n -> n.startsWith("truth:"))) {
                    notes.add("truth: worker logs carry no job_started/job_succeeded event fields (app logs an empty mdc);"
                            + " success and completion time taken from GET /jobs/{id} (state, finishedAt);"
                            + " duplicates and job retries cannot be counted from logs in this run");
                }
                for (Map.Entry<String, Long> e : apiSucceeded.entrySet()) {
                    truth.succeeded.putIfAbsent(e.getKey(), 1);
                    truth.firstSuccess.putIfAbsent(e.getKey(), e.getValue());
                }
            }
            if (missing == 0) {
                say("every acknowledged job succeeded");
                return truth;
            }
            if (System.currentTimeMillis() > deadline) {
                say(missing + " acknowledged jobs not succeeded after " + config.completionTimeout.toSeconds() + " s");
                return truth;
            }
            sleep(1000);
        }
    }

    // ---------------------------------------------------------------- metrics

    private void sampleLoop() {
        while (sampling) {
            scrapeAll();
            sleep(1000);
        }
    }

    private synchronized void scrapeAll() {
        for (MetricsScraper scraper : scrapers.values()) {
            scraper.scrape(http);
        }
    }

    private List<String> sentinelEvents() {
        List<String> events = new ArrayList<>();
        for (SentinelNode s : topology.sentinels()) {
            try {
                for (SentinelNode.Event e : s.events()) {
                    if (e.type().equals("+sdown") || e.type().equals("+odown") || e.type().equals("+switch-master")
                            || e.type().equals("+failover-end") || e.type().equals("+convert-to-slave")
                            || e.type().equals("-sdown") || e.type().equals("+elected-leader")) {
                        events.add(e.time() + " " + s.name() + " " + e.type() + " " + e.detail());
                    }
                }
            } catch (RuntimeException ignored) {
                // unreadable log: report what the others saw
            }
        }
        events.sort(null);
        return events;
    }

    private long firstSwitchMaster() {
        long first = -1;
        for (SentinelNode s : topology.sentinels()) {
            for (SentinelNode.Event e : s.events("+switch-master")) {
                long t = e.time().toEpochMilli();
                if (first < 0 || t < first) {
                    first = t;
                }
            }
        }
        return first;
    }

    // ---------------------------------------------------------------- verdict

    private void fill(DrillResult r, LoadGenerator load, List<LoadGenerator.Submission> subs, Set<String> acked,
            LogTruth truth, long loadStart, long loadStop, long fault) {
        List<LoadGenerator.Answer> answers = load.answers();
        answers.sort((a, b) -> Long.compare(a.timeMillis(), b.timeMillis()));
        r.offered = subs.size();
        r.acknowledged = acked.size();
        r.unacknowledged = subs.size() - acked.size();
        r.faultAtMillis = fault;
        r.loadStartMillis = loadStart;
        r.loadStopMillis = loadStop;
        long switchMaster = topology.sentinels().isEmpty() ? -1 : firstSwitchMaster();
        r.switchMasterAtMillis = switchMaster >= fault ? switchMaster : -1;

        // lost / completed / duplicated
        List<String> lost = new ArrayList<>();
        int completed = 0;
        for (String id : acked) {
            if (truth.succeeded.containsKey(id)) {
                completed++;
            } else {
                lost.add(id);
            }
        }
        r.completed = completed;
        r.lostIds = new ArrayList<>(lost);
        r.lost = lost.size();
        Map<String, Long> ackTime = new HashMap<>();
        for (LoadGenerator.Submission s : subs) {
            if (s.acknowledged()) {
                ackTime.put(s.jobId(), s.ackMillis());
            }
        }
        // Every lost id with what the store says of it and when its 2xx came, so a loss can be explained.
        r.lostStates = new LinkedHashMap<>();
        r.lostAckedAfterFaultMs = new LinkedHashMap<>();
        lost.sort((a, b) -> Long.compare(ackTime.getOrDefault(a, 0L), ackTime.getOrDefault(b, 0L)));
        for (String id : lost) {
            r.lostStates.put(id, jobState(id));
            r.lostAckedAfterFaultMs.put(id, ackTime.getOrDefault(id, 0L) - fault);
        }
        r.lostIds = new ArrayList<>(lost);
        r.promoted = promoted;
        r.promotedLaggard = promotedLaggard;
        r.kills = perKill(kills, lost, ackTime, truth);
        int duplicated = 0;
        for (int n : truth.succeeded.values()) {
            if (n > 1) {
                duplicated++;
            }
        }
        r.duplicated = duplicated;
        int retries = 0;
        for (int n : truth.started.values()) {
            retries += Math.max(0, n - 1);
        }
        r.jobRetries = retries;
        int unackedRun = 0;
        for (String id : truth.succeeded.keySet()) {
            if (!acked.contains(id)) {
                unackedRun++;
            }
        }
        r.executedUnacknowledged = unackedRun;
        int idConflicts = 0;
        int replayed = 0;
        for (LoadGenerator.Submission s : subs) {
            if (new HashSet<>(s.ids()).size() > 1) {
                idConflicts++;
            }
            if (s.replayed) {
                replayed++;
            }
        }
        r.idempotencyConflicts = idConflicts;
        r.replayedAnswers = replayed;

        r.jobRetriesByReason = new LinkedHashMap<>(truth.byReason);
        r.jobRetryErrors = new LinkedHashMap<>(truth.retryErrors);

        // metrics
        Map<String, Double> totals = new TreeMap<>();
        Map<String, Long> retriesByOp = new TreeMap<>();
        Map<String, Long> errorsByKind = new TreeMap<>();
        for (Map.Entry<String, MetricsScraper> e : scrapers.entrySet()) {
            MetricsScraper s = e.getValue();
            Map<String, Long> ops = byLabel(s.totals("streamq_redis_retries_total"), "operation");
            Map<String, Long> kinds = byLabel(s.totals("streamq_redis_errors_total"), "kind");
            ops.forEach((k, v) -> retriesByOp.merge(k, v, Long::sum));
            kinds.forEach((k, v) -> errorsByKind.merge(k, v, Long::sum));
            if (!ops.isEmpty()) {
                r.redisRetriesByProcess.put(e.getKey(), ops);
            }
            if (!kinds.isEmpty()) {
                r.redisErrorsByProcess.put(e.getKey(), kinds);
            }
            for (String name : List.of("streamq_redis_retries_total", "streamq_redis_errors_total",
                    "streamq_jobs_retried_total", "streamq_jobs_reclaimed_total", "streamq_jobs_duplicates_total")) {
                totals.merge(name, s.sum(name), Double::sum);
            }
        }
        r.redisRetries = (long) (double) totals.getOrDefault("streamq_redis_retries_total", 0.0);
        r.redisErrors = (long) (double) totals.getOrDefault("streamq_redis_errors_total", 0.0);
        r.redisRetriesByOperation = retriesByOp;
        r.redisErrorsByKind = errorsByKind;
        r.metrics = totals;

        // timeline & downtime / recovery
        long errorsAfterFault = 0;
        List<Long> okTimes = new ArrayList<>();
        List<Long> failTimes = new ArrayList<>();
        for (LoadGenerator.Answer a : answers) {
            if (a.ok()) {
                okTimes.add(a.timeMillis());
            } else {
                failTimes.add(a.timeMillis());
                if (a.timeMillis() >= fault) {
                    errorsAfterFault++;
                }
            }
        }
        r.failedAnswers = failTimes.size();
        Map<String, Integer> byStatus = new TreeMap<>();
        List<Long> latBefore = new ArrayList<>();
        List<Long> latAfter = new ArrayList<>();
        for (LoadGenerator.Answer a : answers) {
            byStatus.merge(a.status() == -1 ? "connection error/timeout" : String.valueOf(a.status()), 1, Integer::sum);
            (a.timeMillis() < fault ? latBefore : latAfter).add(a.latencyMillis());
        }
        r.answersByStatus = byStatus;
        latBefore.sort(null);
        latAfter.sort(null);
        r.submitLatencyMs = new LinkedHashMap<>();
        r.submitLatencyMs.put("p50_before_fault", pct(latBefore, 50));
        r.submitLatencyMs.put("p99_before_fault", pct(latBefore, 99));
        r.submitLatencyMs.put("p50_after_fault", pct(latAfter, 50));
        r.submitLatencyMs.put("p99_after_fault", pct(latAfter, 99));
        r.submitLatencyMs.put("max_after_fault", latAfter.isEmpty() ? -1 : latAfter.get(latAfter.size() - 1));
        // Between the fault and the drill's next action (latency: "latency removed"; kills: failover seen / restart).
        long nextMark = loadStop;
        for (DrillResult.Mark m : marks) {
            if (m.atMillis() > fault + 50) {
                nextMark = m.atMillis();
                break;
            }
        }
        List<Long> latWindow = new ArrayList<>();
        for (LoadGenerator.Answer a : answers) {
            if (a.timeMillis() >= fault && a.timeMillis() < nextMark) {
                latWindow.add(a.latencyMillis());
            }
        }
        latWindow.sort(null);
        r.submitLatencyMs.put("p50_fault_to_next_mark", pct(latWindow, 50));
        r.submitLatencyMs.put("p99_fault_to_next_mark", pct(latWindow, 99));
        r.failedAnswersAfterFault = errorsAfterFault;
        r.downtimeSeconds = round2(downtime(okTimes, failTimes, loadStart, loadStop) / 1000.0);

        int seconds = (int) Math.ceil((loadStop - loadStart) / 1000.0) + 1;
        r.timeline = new DrillResult.Timeline(loadStart, seconds);
        for (LoadGenerator.Submission s : subs) {
            r.timeline.add(r.timeline.submitted, s.offeredMillis());
        }
        for (long t : okTimes) {
            r.timeline.add(r.timeline.acked, t);
        }
        for (long t : failTimes) {
            r.timeline.add(r.timeline.errors, t);
        }
        List<Long> completions = new ArrayList<>();
        for (String id : truth.firstSuccess.keySet()) {
            completions.add(truth.firstSuccess.get(id));
        }
        for (long t : completions) {
            r.timeline.add(r.timeline.completed, t);
        }
        r.recoverySeconds = recovery(okTimes, failTimes, completions, loadStart, loadStop, fault);
        r.recovered = r.recoverySeconds >= 0;

        // backoff: the fault window runs from the fault to the drill's next action or the
        // recovery, whichever is later, plus 1 s for the retries that waited it out to be promoted.
        long windowEnd = r.recovered ? Math.max(nextMark, fault + (long) (r.recoverySeconds * 1000)) + 1000 : Long.MAX_VALUE;
        r.backoff = backoff(truth, fault, windowEnd);
        r.backoff.failShare = config.failShare;
        for (LoadGenerator.Submission s : subs) {
            if ("fail".equals(s.type())) {
                r.backoff.failJobsOffered++;
                if (s.acknowledged()) {
                    r.backoff.failJobsAcknowledged++;
                    if (truth.succeeded.containsKey(s.jobId())) {
                        r.backoff.failJobsSucceeded++;
                    }
                }
            }
        }
        say("backoff: " + r.backoff.oneLine());

        // verdict
        List<String> why = new ArrayList<>();
        if (scenario == Scenario.PARTITION && r.lost > 0) {
            long window = topology.options().minReplicasMaxLag() * 1000L;
            int outside = 0;
            for (String id : lost) {
                long t = ackTime.getOrDefault(id, 0L);
                if (t < fault || t > fault + window) {
                    outside++;
                }
            }
            r.lostInPartitionWindow = r.lost - outside;
            if (outside > 0) {
                why.add(outside + " acknowledged jobs lost outside the partition window");
            }
        } else if (r.lost > 0) {
            why.add(r.lost + " acknowledged jobs lost");
        }
        if (!r.recovered) {
            why.add("throughput did not recover");
        }
        int serverErrors = 0;
        for (Map.Entry<String, Integer> e : r.answersByStatus.entrySet()) {
            // 503 is the promised "retry later"; any other 5xx is a bug the client cannot act on.
            if (e.getKey().startsWith("5") && !e.getKey().equals("503")) {
                serverErrors += e.getValue();
            }
        }
        if (serverErrors > 0) {
            why.add(serverErrors + " answers were a 5xx other than 503");
        }
        if (r.idempotencyConflicts > 0) {
            why.add(r.idempotencyConflicts + " keys answered with different job ids");
        }
        if (r.acknowledged == 0) {
            why.add("nothing acknowledged");
        }
        if (scenario == Scenario.LAGGING_REPLICA && !Boolean.TRUE.equals(promotedLaggard)) {
            why.add("Sentinel did not promote the lagging replica, so the drill did not test its window");
        }
        r.failureReasons = why;
        r.passed = why.isEmpty() && r.error == null;
        say(String.format(Locale.ROOT, "%s: ack=%d completed=%d lost=%d dup=%d downtime=%.2fs recovery=%.2fs",
                r.passed ? "PASSED" : "FAILED " + why, r.acknowledged, r.completed, r.lost, r.duplicated,
                r.downtimeSeconds, r.recoverySeconds));
    }

    /**
     * Lost and duplicated jobs by kill: a job belongs to the first kill after its 2xx (the kill
     * whose failover could lose or rerun it), the last kill when its 2xx came after all of them.
     */
    static List<DrillResult.Kill> perKill(List<DrillResult.Kill> kills, List<String> lost, Map<String, Long> ackTime,
            LogTruth truth) {
        if (kills.isEmpty()) {
            return kills;
        }
        for (String id : lost) {
            owner(kills, ackTime.getOrDefault(id, 0L)).lost++;
        }
        truth.succeeded.forEach((id, n) -> {
            if (n > 1) {
                // a job whose 2xx never came (the client gave up) counts from its first run
                owner(kills, ackTime.getOrDefault(id, truth.firstSuccess.getOrDefault(id, 0L))).duplicated++;
            }
        });
        return kills;
    }

    private static DrillResult.Kill owner(List<DrillResult.Kill> kills, long ackMillis) {
        for (DrillResult.Kill k : kills) {
            if (ackMillis <= k.atMillis) {
                return k;
            }
        }
        return kills.get(kills.size() - 1);
    }

    /**
     * The spacing of retried jobs: for every job_retry_scheduled of attempt n that has a
     * job_started of attempt n + 1, the gap between the job_started of n and of n + 1, against
     * the ceiling min(max, initial * 2^(n-1)). A gap over ceiling + slack is a policy breach
     * unless it overlaps [faultFrom, faultTo], where the retry waited in Redis for a master.
     */
    static DrillResult.Backoff backoff(LogTruth truth, long faultFrom, long faultTo) {
        DrillResult.Backoff b = new DrillResult.Backoff();
        b.initialMs = BACKOFF_INITIAL_MS;
        b.maxMs = BACKOFF_MAX_MS;
        b.multiplier = BACKOFF_MULTIPLIER;
        b.promoteIntervalMs = PROMOTE_INTERVAL_MS;
        b.slackMs = BACKOFF_SLACK_MS;
        b.failJobFailures = FAIL_FAILURES;
        b.failJobMaxAttempts = FAIL_MAX_ATTEMPTS;
        b.faultWindowFromMillis = faultFrom;
        b.faultWindowToMillis = faultTo == Long.MAX_VALUE ? -1 : faultTo;
        Map<Integer, List<DrillResult.Gap>> byAttempt = new TreeMap<>();
        List<DrillResult.Gap> over = new ArrayList<>();
        for (Map.Entry<String, Set<Integer>> e : truth.retryScheduled.entrySet()) {
            TreeMap<Integer, Long> starts = truth.startsByAttempt.get(e.getKey());
            if (starts == null) {
                continue;
            }
            boolean measured = false;
            for (int n : e.getValue()) {
                Long from = starts.get(n);
                Long to = starts.get(n + 1);
                if (from == null || to == null) {
                    continue; // a start not logged (unrecorded, cut by kill -9): nothing to measure
                }
                DrillResult.Gap g = new DrillResult.Gap();
                g.jobId = e.getKey();
                g.attempt = n;
                g.startedMillis = from;
                g.nextStartedMillis = to;
                g.gapMs = to - from;
                g.ceilingMs = ceilingMs(n);
                g.inFaultWindow = from <= faultTo && to >= faultFrom;
                byAttempt.computeIfAbsent(n, k -> new ArrayList<>()).add(g);
                measured = true;
                if (g.gapMs > g.ceilingMs + BACKOFF_SLACK_MS) {
                    over.add(g);
                }
            }
            if (measured) {
                b.retriedJobs++;
            }
        }
        for (Map.Entry<Integer, List<DrillResult.Gap>> e : byAttempt.entrySet()) {
            List<DrillResult.Gap> gaps = e.getValue();
            List<Long> ms = new ArrayList<>();
            for (DrillResult.Gap g : gaps) {
                ms.add(g.gapMs);
            }
            ms.sort(null);
            DrillResult.AttemptSpacing a = new DrillResult.AttemptSpacing();
            a.attempt = e.getKey();
            a.ceilingMs = ceilingMs(a.attempt);
            a.gaps = gaps.size();
            a.minMs = ms.get(0);
            a.medianMs = pct(ms, 50);
            a.p90Ms = pct(ms, 90);
            a.maxMs = ms.get(ms.size() - 1);
            a.meanMs = round2(ms.stream().mapToLong(Long::longValue).average().orElse(0));
            for (DrillResult.Gap g : gaps) {
                if (g.gapMs <= a.ceilingMs) {
                    a.withinCeiling++;
                } else if (g.gapMs > a.ceilingMs + BACKOFF_SLACK_MS) {
                    if (g.inFaultWindow) {
                        a.delayedByOutage++;
                    } else {
                        a.overLimit++;
                    }
                }
            }
            b.gaps += a.gaps;
            b.overLimit += a.overLimit;
            b.delayedByOutage += a.delayedByOutage;
            b.byAttempt.add(a);
        }
        // the ones that matter first: outside the window, then the longest
        over.sort((x, y) -> x.inFaultWindow != y.inFaultWindow ? (x.inFaultWindow ? 1 : -1)
                : Long.compare(y.gapMs - y.ceilingMs, x.gapMs - x.ceilingMs));
        b.worstGaps = new ArrayList<>(over.subList(0, Math.min(10, over.size())));
        return b;
    }

    /** {@code {operation="enqueue"}} -> {@code enqueue}; label sets with more labels are kept whole. */
    static Map<String, Long> byLabel(Map<String, Double> totals, String label) {
        Map<String, Long> out = new TreeMap<>();
        Pattern only = Pattern.compile("^\\{" + label + "=\"([^\"]*)\",?}$");
        for (Map.Entry<String, Double> e : totals.entrySet()) {
            long v = Math.round(e.getValue());
            if (v == 0) {
                continue;
            }
            Matcher m = only.matcher(e.getKey());
            out.merge(m.matches() ? m.group(1) : e.getKey(), v, Long::sum);
        }
        return out;
    }

    /** finishedAt of a succeeded job per GET /jobs/{id}, else -1. */
    private long finishedAt(String id) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/jobs/" + id))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return -1;
            }
            JsonNode node = JSON.readTree(response.body());
            if (!"succeeded".equals(node.path("state").asText())) {
                return -1;
            }
            JsonNode finishedNode = node.path("finishedAt");
            if (finishedNode.isNumber()) {
                return (long) (finishedNode.asDouble() * 1000);
            }
            String finished = finishedNode.asText(null);
            return finished == null ? System.currentTimeMillis() : Instant.parse(finished).toEpochMilli();
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String jobState(String id) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/jobs/" + id))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return "HTTP " + response.statusCode();
            }
            JsonNode node = JSON.readTree(response.body());
            return node.path("state").asText() + " attempts=" + node.path("attempts").asInt();
        } catch (IOException e) {
            return "unreadable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Longest stretch without a 2xx answer that is an outage, not just a quiet moment: a gap
     * between two consecutive 2xx answers (or load start/stop) that holds a failed answer or
     * lasts over 1 s.
     */
    static long downtime(List<Long> okTimes, List<Long> failTimes, long loadStart, long loadStop) {
        List<Long> bounds = new ArrayList<>();
        bounds.add(loadStart);
        bounds.addAll(okTimes);
        bounds.add(loadStop);
        bounds.sort(null);
        long worst = 0;
        int f = 0;
        List<Long> fails = new ArrayList<>(failTimes);
        fails.sort(null);
        for (int i = 1; i < bounds.size(); i++) {
            long a = bounds.get(i - 1);
            long b = bounds.get(i);
            boolean hasFail = false;
            while (f < fails.size() && fails.get(f) <= b) {
                if (fails.get(f) >= a) {
                    hasFail = true;
                }
                f++;
            }
            long gap = b - a;
            if ((hasFail || gap > 1000) && gap > worst) {
                worst = gap;
            }
        }
        return worst;
    }

    /**
     * Seconds from the fault until (a) a 2xx came back and (b) acks and completions per second
     * are back to at least 80 % of their pre-fault rate with no failed answer, for 3 seconds in a
     * row. -1 when that never happened before the load stopped.
     */
    static double recovery(List<Long> okTimes, List<Long> failTimes, List<Long> completions, long loadStart,
            long loadStop, long fault) {
        long firstOkAfter = -1;
        for (long t : okTimes) {
            if (t >= fault) {
                firstOkAfter = t;
                break;
            }
        }
        if (firstOkAfter < 0) {
            return -1;
        }
        double preSeconds = Math.max(1, (fault - loadStart - 1000) / 1000.0);
        double preAck = countIn(okTimes, loadStart + 1000, fault) / preSeconds;
        double preDone = countIn(completions, loadStart + 1000, fault) / preSeconds;
        int buckets = (int) ((loadStop - fault) / 1000);
        boolean[] good = new boolean[buckets];
        for (int k = 0; k < buckets; k++) {
            long a = fault + k * 1000L;
            long b = a + 1000;
            good[k] = countIn(okTimes, a, b) >= 0.8 * preAck && countIn(completions, a, b) >= 0.8 * preDone
                    && countIn(failTimes, a, b) == 0;
        }
        int firstBad = -1;
        for (int k = 0; k < buckets; k++) {
            if (!good[k]) {
                firstBad = k;
                break;
            }
        }
        if (firstBad < 0) {
            return round2((firstOkAfter - fault) / 1000.0);
        }
        for (int k = firstBad + 1; k < buckets; k++) {
            boolean run = true;
            for (int j = k; j < Math.min(buckets, k + 3); j++) {
                run &= good[j];
            }
            if (run) {
                return round2(Math.max(k, (firstOkAfter - fault) / 1000.0));
            }
        }
        return -1;
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static int countIn(List<Long> times, long from, long to) {
        int n = 0;
        for (long t : times) {
            if (t >= from && t < to) {
                n++;
            }
        }
        return n;
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    // ---------------------------------------------------------------- helpers

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleepUntil(long epochMillis) {
        sleep(epochMillis - System.currentTimeMillis());
    }

    private static void awaitBounded(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            sleep(200);
        }
    }
}

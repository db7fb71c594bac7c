package dev.streamq.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One instance of the packaged streamq app ({@code java -jar target/quarkus-app/quarkus-run.jar})
 * as its own OS process, configured only through environment variables, as in a container.
 *
 * <p>Why a real process and not @QuarkusTest: drills kill -9 workers, restart them and measure
 * their memory; only a separate JVM behaves like a pod for that. Output (one JSON object per
 * line) is appended to a log file so that {@link #logEvents(String)} can tell what a worker did.
 */
public final class ServiceProcess extends LabProcess<ServiceProcess> {

    /** Default location of the fast-jar, relative to the project directory. */
    public static final String DEFAULT_JAR = "target/quarkus-app/quarkus-run.jar";

    private final String role;
    private final int managementPort;
    private final JobsClient http;
    private final JobsClient management;

    private ServiceProcess(Builder b, int port, int managementPort, Map<String, String> env, List<String> command) {
        // SIGTERM: graceful shutdown, up to 30 s, hands unfinished jobs back
        super(port, b.logFile.toAbsolutePath(),
                new ManagedProcess(b.name, command, env, b.workDir.toAbsolutePath(), b.logFile.toAbsolutePath()),
                Duration.ofSeconds(30));
        this.role = b.role;
        this.managementPort = managementPort;
        this.http = new JobsClient(baseUrl(), Duration.ofSeconds(2));
        this.management = new JobsClient(managementUrl(), Duration.ofSeconds(2));
    }

    private static ServiceProcess of(Builder b) {
        int port = b.port == 0 ? Ports.free() : b.port;
        int managementPort = Ports.free();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("STREAMQ_ROLE", b.role);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        // /q/health and /q/metrics: the packaged app serves them on a port of their own
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_REDIS_MASTER_NAME", SentinelNode.DEFAULT_MASTER_NAME);
        // The lab drives the API without tokens and its load uses the built-in handlers; both
        // are off in the shipped defaults, so the lab turns them on explicitly.
        env.put("STREAMQ_AUTH_ENABLED", "false");
        env.put("STREAMQ_WORKER_BUILTIN_HANDLERS", "true");
        env.putAll(b.env); // topology env and caller overrides win over the defaults above
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add(b.maxHeap);
        command.addAll(b.jvmArgs);
        command.add("-jar");
        command.add(b.jar.toAbsolutePath().toString());
        if (!Files.isRegularFile(b.jar)) {
            throw new IllegalStateException(b.jar.toAbsolutePath() + " does not exist: build it with "
                    + "'mvn -q -B -DskipTests package' (deploy/local/lab does that)");
        }
        return new ServiceProcess(b, port, managementPort, env, command);
    }

    /** {@code jar} is usually {@code Paths.get(DEFAULT_JAR)}; see {@link #defaultJar()}. */
    public static Builder builder(Path jar) {
        return new Builder(jar);
    }

    /** The jar from system property {@code streamq.jar}, else {@link #DEFAULT_JAR} under the working directory. */
    public static Path defaultJar() {
        return Paths.get(System.getProperty("streamq.jar", DEFAULT_JAR));
    }

    /** Polls /q/health/ready until it answers 200. Fails early if the process exits. */
    public ServiceProcess awaitReady(Duration timeout) {
        Await.condition(name() + " ready on " + managementUrl() + "/q/health/ready", timeout, Duration.ofMillis(250), () -> {
            requireAlive();
            return management.status("/q/health/ready") == 200;
        });
        return this;
    }

    /** A client of this process's API; every call goes to this process alone. */
    public JobsClient jobs() {
        return http;
    }

    /** A client of this process's management port: /q/health/*, /q/metrics. */
    public JobsClient management() {
        return management;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** The management port (/q/health/*, /q/metrics), the one the pods' prometheus.io/port annotation names. */
    public int managementPort() {
        return managementPort;
    }

    public String role() {
        return role;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Current resident set size in kB (VmRSS), or -1 when the process is gone. */
    public long rssKb() {
        return procStatusKb("VmRSS");
    }

    /** Peak resident set size in kB (VmHWM), or -1 when the process is gone. */
    public long peakRssKb() {
        return procStatusKb("VmHWM");
    }

    private long procStatusKb(String field) {
        return isAlive() ? procStatusKb(pid(), field) : -1;
    }

    /** A field of /proc/PID/status in kB (VmHWM, VmRSS) of any process; -1 when it is gone. */
    public static long procStatusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
            return -1;
        } catch (IOException e) {
            return -1; // the process exited before the read
        }
    }

    /** Every event named {@code event} this process (and its earlier runs) logged, oldest first. */
    public List<LogEvent> logEvents(String event) {
        return new ServiceLog(logFile(), Set.of(event)).readOn();
    }

    @Override
    public String toString() {
        return name() + "(" + role + ")@" + baseUrl();
    }

    public static final class Builder {
        private final Path jar;
        private String name = "streamq";
        private String role = "all";
        private int port;
        private Path logFile;
        private Path workDir = Paths.get(".");
        private String maxHeap = "-Xmx256m";
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder(Path jar) {
            this.jar = jar;
        }

        public Builder name(String value) {
            name = value;
            return this;
        }

        /** STREAMQ_ROLE: api, worker or all. */
        public Builder role(String value) {
            role = value;
            return this;
        }

        /** HTTP port; a free one is picked when not set. */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /** Where stdout+stderr are appended; default {@code <workDir>/<name>.log}. */
        public Builder logFile(Path value) {
            logFile = value;
            return this;
        }

        /** Working directory of the process (and default home of its log). */
        public Builder workDir(Path value) {
            workDir = value;
            return this;
        }

        /** Redis settings of a topology: hosts, client type, master name, min replicas. */
        public Builder topology(Topology topology) {
            return redis(topology);
        }

        /** Redis settings of any Redis the lab runs (a Sentinel topology, a cluster). */
        public Builder redis(RedisDeployment redis) {
            env.putAll(redis.serviceEnv());
            return this;
        }

        /** STREAMQ_DURABILITY_MIN_REPLICAS (overrides what {@link #topology} set). */
        public Builder minReplicas(int value) {
            env.put("STREAMQ_DURABILITY_MIN_REPLICAS", String.valueOf(value));
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        /** Replaces the default -Xmx256m. */
        public Builder maxHeap(String value) {
            maxHeap = value;
            return this;
        }

        public Builder jvmArg(String value) {
            jvmArgs.add(value);
            return this;
        }

        public ServiceProcess build() {
            if (logFile == null) {
                logFile = workDir.resolve(name + ".log");
            }
            return ServiceProcess.of(this);
        }

        public ServiceProcess start() {
            return build().start();
        }
    }
}

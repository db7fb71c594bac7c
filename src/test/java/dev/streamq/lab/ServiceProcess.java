package dev.streamq.lab;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of the packaged streamq app ({@code java -jar target/quarkus-app/quarkus-run.jar})
 * as its own OS process, configured only through environment variables, as in a container.
 *
 * <p>Why a real process and not @QuarkusTest: drills kill -9 workers, restart them and measure
 * their memory; only a separate JVM behaves like a pod for that. Output (one JSON object per
 * line) is appended to a log file so that {@link #logEvents(String)} can check what a worker did.
 */
public final class ServiceProcess implements AutoCloseable {

    /** Default location of the fast-jar, relative to the project directory. */
    public static final String DEFAULT_JAR = "target/quarkus-app/quarkus-run.jar";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final String role;
    private final Path logFile;
    private final ManagedProcess process;

    private ServiceProcess(Builder b) {
        this.name = b.name;
        this.port = b.port == 0 ? Ports.free() : b.port;
        this.role = b.role;
        this.logFile = b.logFile.toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("STREAMQ_ROLE", role);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
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
        this.process = new ManagedProcess(name, command, env, b.workDir.toAbsolutePath(), logFile);
    }

    /** {@code jar} is usually {@code Paths.get(DEFAULT_JAR)}; see {@link #defaultJar()}. */
    public static Builder builder(Path jar) {
        return new Builder(jar);
    }

    /** The jar from system property {@code streamq.jar}, else {@link #DEFAULT_JAR} under the working directory. */
    public static Path defaultJar() {
        return Paths.get(System.getProperty("streamq.jar", DEFAULT_JAR));
    }

    public ServiceProcess start() {
        process.start();
        return this;
    }

    /** Polls /q/health/ready until it answers 200. Fails early if the process exits. */
    public ServiceProcess awaitReady(Duration timeout) {
        Await.condition(name + " ready on " + baseUrl() + "/q/health/ready", timeout, Duration.ofMillis(250), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitCode() + ", see " + logFile);
            }
            return httpStatus("/q/health/ready") == 200;
        });
        return this;
    }

    /** HTTP status of a GET on {@code path}, or -1 when the connection fails. */
    public int httpStatus(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGKILL: in-flight jobs stay pending in the stream and must be reclaimed by another worker. */
    public void kill9() {
        process.kill9();
    }

    /** SIGTERM and wait (graceful shutdown) up to 30 s, then SIGKILL. */
    public void stop() {
        process.stop(Duration.ofSeconds(30));
    }

    /** Same port, env and log file (appended). Kills first if still running. Does not await readiness. */
    public ServiceProcess restart() {
        if (process.isAlive()) {
            process.kill9();
        }
        return start();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public String role() {
        return role;
    }

    public String name() {
        return name;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path logFile() {
        return logFile;
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
        if (!process.isAlive()) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
            return -1;
        } catch (IOException e) {
            return -1; // the process exited between isAlive() and the read
        }
    }

    /** Every JSON log line whose "event" is {@code event}, as maps, oldest first. */
    public List<Map<String, Object>> logEvents(String event) {
        List<Map<String, Object>> matching = new ArrayList<>();
        for (Map<String, Object> entry : logEntries()) {
            if (event.equals(entry.get("event"))) {
                matching.add(entry);
            }
        }
        return matching;
    }

    /**
     * Every JSON log line so far. Lines that are not JSON (a JVM crash message, say) are skipped.
     * Keys found under "mdc" are lifted to the top level when not already there, so callers do
     * not care whether the app logs its fields as structured arguments or as MDC.
     */
    public List<Map<String, Object>> logEntries() {
        List<String> lines;
        try {
            lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (String line : lines) {
            Map<String, Object> entry = parseLogLine(line);
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }

    static Map<String, Object> parseLogLine(String line) {
        String trimmed = line.trim();
        if (!trimmed.startsWith("{")) {
            return null;
        }
        try {
            Map<String, Object> entry = JSON.readValue(trimmed, new TypeReference<LinkedHashMap<String, Object>>() { });
            Object mdc = entry.get("mdc");
            if (mdc instanceof Map<?, ?> mdcMap) {
                mdcMap.forEach((key, value) -> entry.putIfAbsent(String.valueOf(key), value));
            }
            return entry;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        process.kill9();
    }

    @Override
    public String toString() {
        return name + "(" + role + ")@" + baseUrl();
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
            env.putAll(topology.serviceEnv());
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
            return new ServiceProcess(this);
        }

        public ServiceProcess start() {
            return build().start();
        }
    }
}

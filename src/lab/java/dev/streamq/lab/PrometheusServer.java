package dev.streamq.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One {@code prometheus} process (the OS package's binary) on a loopback port, with its TSDB in
 * a directory of the lab's own, and a reader of its HTTP API. The config is the caller's: the
 * drills render it from the project's own (see {@code drill.LabPrometheusConfig}).
 */
public final class PrometheusServer extends LabProcess<PrometheusServer> {

    public static final String BINARY = "prometheus";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobsClient http;
    private final Path dir;

    private PrometheusServer(int port, Path config, Path dir) {
        super(port, dir.resolve("prometheus.log"), new ManagedProcess("prometheus", List.of(BINARY,
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--storage.tsdb.retention.time=1d",
                "--web.listen-address=127.0.0.1:" + port), Map.of(), dir, dir.resolve("prometheus.log")),
                Duration.ofSeconds(10));
        this.http = new JobsClient("http://127.0.0.1:" + port, Duration.ofSeconds(10));
        this.dir = dir;
    }

    /** Bytes of the write-ahead log on disk: what the samples so far cost before compaction. */
    public long walBytes() {
        try (Stream<Path> files = Files.walk(dir.resolve("data").resolve("wal"))) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size " + dir.resolve("data/wal"), e);
        }
    }

    /** A server for {@code config} (which must listen on nothing else than {@code port}), not started. */
    public static PrometheusServer of(int port, Path config, Path dir) {
        return new PrometheusServer(port, config.toAbsolutePath(), dir.toAbsolutePath());
    }

    /** Why {@code prometheus} cannot run here, or null when it can. */
    public static String unavailableReason() {
        try {
            Process p = new ProcessBuilder(BINARY, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? null : BINARY + " --version failed";
        } catch (IOException e) {
            return "no '" + BINARY + "' on PATH (Debian: apt-get install prometheus)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Waits for /-/ready: the TSDB is open and the rules are loaded. */
    @Override
    void started() {
        Await.condition("prometheus on port " + port() + " to be ready", START_TIMEOUT, Duration.ofMillis(100), () -> {
            requireAlive();
            return http.status("/-/ready") == 200;
        });
    }

    /**
     * {@code /api/v1/query_range}: the {@code data.result} array of a range query with a step of
     * {@code stepMillis}, times in epoch ms.
     */
    public JsonNode queryRange(String expr, long fromMillis, long toMillis, long stepMillis) {
        return api("/api/v1/query_range?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)
                + String.format(Locale.ROOT, "&start=%.3f&end=%.3f&step=%.3f", fromMillis / 1000.0, toMillis / 1000.0,
                        stepMillis / 1000.0));
    }

    /** {@code /api/v1/query}: the {@code data.result} array of an instant query now. */
    public JsonNode query(String expr) {
        return api("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    }

    /** The value of one sample of an instant query's result ({@code value: [time, "text"]}). */
    public static double value(JsonNode sample) {
        return sample.path("value").get(1).asDouble();
    }

    /** The value of an instant query that answers one sample, 0 when it answers none. */
    public double scalar(String expr) {
        JsonNode result = query(expr);
        return result.isEmpty() ? 0 : value(result.get(0));
    }

    private JsonNode api(String pathAndQuery) {
        JobsClient.Reply reply = http.getPath(pathAndQuery);
        try {
            JsonNode body = JSON.readTree(reply.text());
            if (reply.status() != 200 || !"success".equals(body.path("status").asText())) {
                throw new IllegalStateException("prometheus answered " + reply.status() + " to " + pathAndQuery + ": "
                        + reply.text());
            }
            return body.path("data").path("result");
        } catch (IOException e) {
            throw new UncheckedIOException("prometheus answered no JSON to " + pathAndQuery + ": " + reply.text(), e);
        }
    }
}

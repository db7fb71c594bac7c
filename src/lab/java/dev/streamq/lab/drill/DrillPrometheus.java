package dev.streamq.lab.drill;

import dev.streamq.lab.Await;
import dev.streamq.lab.Ports;
import dev.streamq.lab.PrometheusServer;
import dev.streamq.lab.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code --observe}: a real Prometheus beside the drill, running the project's scrape config and
 * alert rules against the drill's processes ({@link LabPrometheusConfig}), and what its alerts did.
 */
final class DrillPrometheus implements AutoCloseable {

    /** Evaluation step of the lab's Prometheus, and of the ALERTS read back. */
    private static final long STEP_MILLIS = 1000;

    private final PrometheusServer server;
    private final long startMillis;

    private DrillPrometheus(PrometheusServer server, long startMillis) {
        this.server = server;
        this.startMillis = startMillis;
    }

    static DrillPrometheus start(Path dir, List<ServiceProcess> services, Journal journal) {
        String missing = PrometheusServer.unavailableReason();
        if (missing != null) {
            throw new IllegalStateException("--observe needs Prometheus: " + missing);
        }
        int port = Ports.free();
        Path config = LabPrometheusConfig.write(dir, port, services.stream().map(LabPrometheusConfig.Target::of).toList());
        PrometheusServer server = PrometheusServer.of(port, config, dir).start();
        // Target discovery hands the scrapers their targets up to 5 s after start; until then
        // absent(up{role="worker"}) holds WorkersDown pending. The drill starts once every process is scraped.
        Await.condition("prometheus to scrape all " + services.size() + " services", Duration.ofSeconds(30), Duration.ofMillis(200),
                () -> scraped(server) == services.size());
        // ...and until that pending alert has resolved: the timeline starts from a quiet baseline
        // (an alert still active after 10 s is real, and shows before the fault).
        Await.holds(Duration.ofSeconds(10), Duration.ofMillis(200), () -> server.query(AlertTimeline.SERIES).isEmpty());
        journal.note(LabPrometheusConfig.CHANGES + "; config " + config + ", log " + server.logFile());
        journal.say("prometheus on 127.0.0.1:" + port + " scrapes every service");
        return new DrillPrometheus(server, System.currentTimeMillis());
    }

    private static int scraped(PrometheusServer server) {
        return (int) server.scalar("count(up{job=\"streamq\"} == 1)");
    }

    /** Every alert episode since Prometheus started, times relative to {@code faultMillis}. */
    List<DrillResult.Alert> alerts(long faultMillis) {
        long end = System.currentTimeMillis();
        return AlertTimeline.episodes(server.queryRange(AlertTimeline.SERIES, startMillis, end, STEP_MILLIS), STEP_MILLIS,
                end, faultMillis);
    }

    /** Series Prometheus holds per scraped pod, e.g. {api=180, worker-1=260}: what a pod costs in the TSDB. */
    Map<String, Long> seriesByPod() {
        Map<String, Long> out = new TreeMap<>();
        server.query("count by (pod) ({job=\"streamq\"})")
                .forEach(s -> out.put(s.path("metric").path("pod").asText(), Math.round(PrometheusServer.value(s))));
        return out;
    }

    /**
     * What the drill cost Prometheus' storage: samples appended and the WAL's bytes on disk
     * (compressed records; compacted blocks are smaller), for the sizing in docs/operations.md.
     */
    String storage() {
        double appended = server.scalar("prometheus_tsdb_head_samples_appended_total");
        long walBytes = server.walBytes();
        return String.format(Locale.ROOT, "%.0f samples appended, WAL %d bytes (%.2f B/sample)", appended, walBytes,
                appended == 0 ? 0 : walBytes / appended);
    }

    @Override
    public void close() {
        server.stop();
    }
}

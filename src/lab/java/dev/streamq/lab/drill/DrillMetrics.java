package dev.streamq.lab.drill;

import dev.streamq.lab.Await;
import dev.streamq.lab.ServiceProcess;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services' own counters over a drill: every process scraped once a second (so a kill -9
 * loses nothing it had counted), summed into the result by operation, kind and process.
 */
final class DrillMetrics implements AutoCloseable {

    private static final List<String> TOTALS = List.of("streamq_redis_retries_total", "streamq_redis_errors_total",
            "streamq_jobs_retried_total", "streamq_jobs_reclaimed_total", "streamq_jobs_duplicates_total");

    private final Map<String, MetricsScraper> scrapers = new LinkedHashMap<>();
    private final Thread sampler = new Thread(this::sampleLoop, "drill-metrics");
    private volatile boolean sampling = true;

    DrillMetrics(List<ServiceProcess> services) {
        for (ServiceProcess s : services) {
            scrapers.put(s.name(), new MetricsScraper(s));
        }
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sampleLoop() {
        while (sampling) {
            scrapeAll();
            Await.sleep(Duration.ofSeconds(1));
        }
    }

    /** One last scrape, then no more: what the result reports. */
    void finish() {
        scrapeAll();
        sampling = false;
    }

    private synchronized void scrapeAll() {
        scrapers.values().forEach(MetricsScraper::scrape);
    }

    /** Redis retries by operation, errors by kind, per process and summed, and the job counters. */
    void into(DrillResult r) {
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
            for (String name : TOTALS) {
                totals.merge(name, s.sum(name), Double::sum);
            }
        }
        r.redisRetries = (long) (double) totals.getOrDefault("streamq_redis_retries_total", 0.0);
        r.redisErrors = (long) (double) totals.getOrDefault("streamq_redis_errors_total", 0.0);
        r.redisRetriesByOperation = retriesByOp;
        r.redisErrorsByKind = errorsByKind;
        r.metrics = totals;
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

    @Override
    public void close() {
        sampling = false;
    }
}

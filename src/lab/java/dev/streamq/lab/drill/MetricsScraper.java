package dev.streamq.lab.drill;

import dev.streamq.lab.JobsClient;
import dev.streamq.lab.ServiceProcess;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the counters of one service process across its restarts: /q/metrics is scraped every
 * second, and when a counter goes down (the process was killed and restarted) what it had
 * reached before is carried over. Without this a kill -9 would erase the retries it caused.
 * Counts from the first scrape: what the process counted before (its start, the drill's
 * warm-up) is not the drill's.
 */
final class MetricsScraper {

    private final ServiceProcess process;
    /** series ("name{labels}") -> last value seen in the current incarnation. */
    private final Map<String, Double> last = new HashMap<>();
    /** series -> sum of final values of previous incarnations. */
    private final Map<String, Double> carried = new HashMap<>();
    /** series -> its value at the first scrape, taken off every total; null until that scrape. */
    private Map<String, Double> baseline;

    MetricsScraper(ServiceProcess process) {
        this.process = process;
    }

    synchronized void scrape() {
        JobsClient.Reply reply;
        try {
            reply = process.management().getPath("/q/metrics");
        } catch (UncheckedIOException e) {
            return; // down right now: keep what we had
        }
        if (reply.status() == 200) {
            record(reply.text());
        }
    }

    /** One scrape's text: the first is the baseline; a counter that went down was restarted. */
    synchronized void record(String metricsText) {
        Map<String, Double> now = parse(metricsText);
        if (baseline == null) {
            baseline = new HashMap<>(now);
        }
        for (Map.Entry<String, Double> e : now.entrySet()) {
            Double previous = last.get(e.getKey());
            if (previous != null && e.getValue() < previous) {
                carried.merge(e.getKey(), previous, Double::sum);
            }
            last.put(e.getKey(), e.getValue());
        }
    }

    /** Only streamq_* series: "name{labels}" -> value. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> values = new HashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("streamq_")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            try {
                values.put(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1).trim()));
            } catch (NumberFormatException ignored) {
                // not a sample line
            }
        }
        return values;
    }

    /** Total of every series of metric {@code name} over all incarnations. */
    synchronized double sum(String name) {
        double total = 0;
        for (Map.Entry<String, Double> e : totalsBySeries().entrySet()) {
            if (e.getKey().equals(name) || e.getKey().startsWith(name + "{")) {
                total += e.getValue();
            }
        }
        return total;
    }

    /** Totals of metric {@code name} by label set. */
    synchronized Map<String, Double> totals(String name) {
        Map<String, Double> out = new TreeMap<>();
        for (Map.Entry<String, Double> e : totalsBySeries().entrySet()) {
            if (e.getKey().equals(name) || e.getKey().startsWith(name + "{")) {
                String labels = e.getKey().substring(name.length());
                out.merge(labels.isEmpty() ? "{}" : labels, e.getValue(), Double::sum);
            }
        }
        return out;
    }

    private Map<String, Double> totalsBySeries() {
        Map<String, Double> totals = new HashMap<>(last);
        carried.forEach((k, v) -> totals.merge(k, v, Double::sum));
        if (baseline != null) {
            baseline.forEach((k, v) -> totals.computeIfPresent(k, (key, total) -> total - v));
        }
        return totals;
    }
}

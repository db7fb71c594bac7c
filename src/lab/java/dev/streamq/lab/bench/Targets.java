package dev.streamq.lab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The bench's figures against the targets streamq set itself: throughput relative to raw XADD, latency, memory. */
final class Targets {

    private Targets() {
    }

    /** One "what: value (note) -> MET / NOT MET" line per target. */
    static List<String> lines(Map<String, Object> results, double raw, double e2eRate) {
        List<String> lines = new ArrayList<>();
        double single = num(results, "all_sustained_single_e2e_jobs_per_s");
        double batch = num(results, "all_sustained_batch100_e2e_jobs_per_s");
        lines.add(target("e2e sustained, single submits >= 0.2 x raw XADD", single / raw, ">=", 0.2,
                String.format(Locale.ROOT, "%.0f jobs/s, need %.0f", single, 0.2 * raw)));
        lines.add(target("e2e sustained, batch submits >= 0.5 x raw XADD", batch / raw, ">=", 0.5,
                String.format(Locale.ROOT, "%.0f jobs/s, need %.0f", batch, 0.5 * raw)));
        lines.add(target("submit-to-complete p50 <= 2 ms at " + (int) e2eRate + "/s",
                num(results, "all_e2e_submit_to_complete_p50_ms"), "<=", 2, "ms"));
        lines.add(target("submit-to-complete p99 <= 10 ms at " + (int) e2eRate + "/s",
                num(results, "all_e2e_submit_to_complete_p99_ms"), "<=", 10, "ms"));
        for (String k : List.of("peak_rss_api_kb", "peak_rss_worker_kb", "peak_rss_all_after_ramp_kb",
                "peak_rss_all_c1_xmx96_kb")) {
            double mb = num(results, k) / 1024.0;
            lines.add(target("RSS <= 200 MiB (" + k + ")", mb, "<=", 200, "MiB"));
        }
        return lines;
    }

    private static String target(String what, double value, String op, double limit, String note) {
        boolean met = ">=".equals(op) ? value >= limit : value <= limit;
        return String.format(Locale.ROOT, "%s: %.2f (%s) -> %s", what, value, note, met ? "MET" : "NOT MET");
    }

    private static double num(Map<String, Object> results, String key) {
        Object v = results.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}

package dev.streamq.lab.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes drill results: per drill {@code NAME.md}, {@code NAME.json}, {@code NAME.svg}; for the
 * run {@code report.json} (all drills) and {@code summary.md} (one table).
 */
public final class DrillReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DrillReport() {
    }

    public static Path defaultOut() {
        return Paths.get("target", "drills", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    public static void writeDrill(Path out, DrillResult r) {
        try {
            Files.createDirectories(out);
            JSON.writeValue(out.resolve(r.drill + ".json").toFile(), r);
            Files.writeString(out.resolve(r.drill + ".svg"), svg(r));
            Files.writeString(out.resolve(r.drill + ".md"), markdown(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeSummary(Path out, List<DrillResult> results) {
        try {
            Files.createDirectories(out);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (DrillResult r : results) {
                @SuppressWarnings("unchecked")
                Map<String, Object> row = JSON.convertValue(r, LinkedHashMap.class);
                row.remove("timeline");
                rows.add(row);
            }
            JSON.writeValue(out.resolve("report.json").toFile(), Map.of("drills", rows));
            Files.writeString(out.resolve("summary.md"), summary(results));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String summary(List<DrillResult> results) {
        StringBuilder md = new StringBuilder("# streamq drills\n\n");
        md.append(table(results));
        md.append("\nPer drill: `NAME.md` (details), `NAME.json`, `NAME.svg` (timeline).\n");
        return md.toString();
    }

    public static String table(List<DrillResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("| drill | topology | rate/s | downtime s | recovery s | acked | completed | lost | duplicated | job retries | redis retries | switch-master | passed |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (DrillResult r : results) {
            long switches = r.sentinelEvents.stream().filter(e -> e.contains("+switch-master")).count();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %s | %d | %d | %d | %d | %d | %d | %s | %s |%n",
                    r.drill, r.topology, r.rate, r.downtimeSeconds,
                    r.recoverySeconds < 0 ? "not recovered" : String.format(Locale.ROOT, "%.2f", r.recoverySeconds),
                    r.acknowledged, r.completed, r.lost, r.duplicated, r.jobRetries, r.redisRetries,
                    switches == 0 ? "-" : (r.switchMasterAtMillis > 0
                            ? String.format(Locale.ROOT, "+%.2fs", (r.switchMasterAtMillis - r.faultAtMillis) / 1000.0)
                            : "yes"),
                    r.passed ? "yes" : "**NO**"));
        }
        return md.toString();
    }

    static String markdown(DrillResult r) {
        StringBuilder md = new StringBuilder();
        md.append("# drill ").append(r.drill).append(r.passed ? " — passed" : " — FAILED").append("\n\n");
        md.append(r.description).append("\n\n");
        md.append(String.format(Locale.ROOT, "Topology %s, %.0f jobs/s offered for %d s, seed %d.%n%n", r.topology, r.rate,
                r.durationSeconds, r.seed));
        md.append("![timeline](").append(r.drill).append(".svg)\n\n");
        md.append("| measure | value |\n|---|---|\n");
        row(md, "downtime_seconds (longest stretch without a 2xx, holding a failure)", fmt(r.downtimeSeconds));
        row(md, "recovery_seconds (fault → 2xx again and acks+completions ≥ 80 % of pre-fault for 3 s)",
                r.recoverySeconds < 0 ? "not recovered" : fmt(r.recoverySeconds));
        row(md, "offered / acknowledged / unacknowledged", r.offered + " / " + r.acknowledged + " / " + r.unacknowledged);
        row(md, "completed (acknowledged and job_succeeded logged)", String.valueOf(r.completed));
        row(md, "lost (acknowledged, never succeeded)", String.valueOf(r.lost));
        if ("partition".equals(r.drill)) {
            row(md, "lost inside the partition window (fault .. fault + min-replicas-max-lag)", String.valueOf(r.lostInPartitionWindow));
        }
        row(md, "duplicated (job_succeeded > 1 for one id)", String.valueOf(r.duplicated));
        row(md, "executed but never acknowledged (client gave up)", String.valueOf(r.executedUnacknowledged));
        row(md, "keys answered with two different ids", String.valueOf(r.idempotencyConflicts));
        row(md, "answers with replayed:true", String.valueOf(r.replayedAnswers));
        row(md, "job_retries (extra job_started per id)", String.valueOf(r.jobRetries));
        row(md, "redis_retries (streamq_redis_retries_total, all processes)", r.redisRetries + " " + r.redisRetriesByOperation);
        row(md, "failed answers (all / after fault)", r.failedAnswers + " / " + r.failedAnswersAfterFault);
        row(md, "answers by HTTP status", String.valueOf(r.answersByStatus));
        row(md, "submit latency ms (p50/p99 before fault, p50/p99/max after)", String.valueOf(r.submitLatencyMs));
        r.metrics.forEach((k, v) -> row(md, k, String.format(Locale.ROOT, "%.0f", v)));
        if (!r.failureReasons.isEmpty() || r.error != null) {
            md.append("\n**Failed:** ").append(String.join("; ", r.failureReasons));
            if (r.error != null) {
                md.append(" error: `").append(r.error).append('`');
            }
            md.append("\n");
        }
        if (!r.lostIds.isEmpty()) {
            md.append("\nLost job ids (state per GET /jobs/{id}, first 20):\n\n");
            for (String id : r.lostIds) {
                md.append("- `").append(id).append("` ").append(r.lostStates.getOrDefault(id, "")).append('\n');
            }
        }
        md.append("\n## Timeline\n\n");
        for (DrillResult.Mark m : r.marks) {
            md.append(String.format(Locale.ROOT, "- t=%+.2fs %s%n", (m.atMillis() - r.faultAtMillis) / 1000.0, m.label()));
        }
        if (!r.sentinelEvents.isEmpty()) {
            md.append("\n## Sentinel events\n\n```\n");
            r.sentinelEvents.forEach(e -> md.append(e).append('\n'));
            md.append("```\n");
        }
        if (!r.notes.isEmpty()) {
            md.append("\n## Notes\n\n");
            r.notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Per-second submit, ack, completion and error counts, with the fault and +switch-master as vertical lines. */
    static String svg(DrillResult r) {
        int w = 900;
        int h = 320;
        int left = 50;
        int right = 20;
        int top = 30;
        int bottom = 40;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"").append(left).append("\" y=\"18\" font-size=\"13\">").append(esc(r.drill))
                .append(" (").append(r.topology).append(")").append(r.passed ? " passed" : " FAILED").append("</text>\n");
        DrillResult.Timeline t = r.timeline;
        if (t == null) {
            s.append("<text x=\"").append(left).append("\" y=\"60\">no timeline: ").append(esc(String.valueOf(r.error)))
                    .append("</text>\n</svg>\n");
            return s.toString();
        }
        int n = t.submitted.length;
        // completions may trail the load (reclaim, backlog); show them until the last one
        int last = n;
        for (int i = t.completed.length - 1; i >= n; i--) {
            if (t.completed[i] > 0) {
                last = i + 1;
                break;
            }
        }
        int max = 1;
        for (int i = 0; i < last; i++) {
            max = Math.max(max, Math.max(i < n ? Math.max(t.submitted[i], Math.max(t.acked[i], t.errors[i])) : 0, t.completed[i]));
        }
        double xs = (w - left - right) / (double) Math.max(1, last);
        double ys = (h - top - bottom) / (double) max;
        int y0 = h - bottom;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", left, y0, w - right, y0));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", left, top, left, y0));
        s.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%d/s</text>%n", top + 4, max));
        s.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">0</text>%n", y0));
        for (int sec = 0; sec <= last; sec += Math.max(5, last / 10 / 5 * 5)) {
            double x = left + sec * xs;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>%n", x, y0 + 14, sec));
        }
        poly(s, t.submitted, n, left, y0, xs, ys, "#1f77b4", "submitted/s");
        poly(s, t.acked, n, left, y0, xs, ys, "#2ca02c", "acked (2xx)/s");
        poly(s, t.completed, last, left, y0, xs, ys, "#9467bd", "completed/s");
        poly(s, t.errors, n, left, y0, xs, ys, "#d62728", "errors/s");
        String[][] legend = {{"#1f77b4", "submitted/s"}, {"#2ca02c", "acked (2xx)/s"}, {"#9467bd", "completed/s"},
            {"#d62728", "errors/s"}, {"#000", "fault"}, {"#ff7f0e", "+switch-master"}, {"#aaa", "other marks"}};
        for (int i = 0; i < legend.length; i++) {
            int x = left + i * 120;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, h - 14, legend[i][0], x + 14, h - 5, legend[i][1]));
        }
        vline(s, r.faultAtMillis, t.startMillis, left, top, y0, xs, "#000", "fault", 3);
        if (r.switchMasterAtMillis > 0) {
            vline(s, r.switchMasterAtMillis, t.startMillis, left, top, y0, xs, "#ff7f0e", "+switch-master", 2);
        }
        for (DrillResult.Mark m : r.marks) {
            if (Math.abs(m.atMillis() - r.faultAtMillis) > 50) {
                vline(s, m.atMillis(), t.startMillis, left, top, y0, xs, "#aaa", m.label(), 1);
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void poly(StringBuilder s, int[] series, int count, int left, int y0, double xs, double ys,
            String color, String title) {
        s.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\" points=\"");
        for (int i = 0; i < count && i < series.length; i++) {
            s.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + (i + 0.5) * xs, y0 - series[i] * ys));
        }
        s.append("\"><title>").append(title).append("</title></polyline>\n");
    }

    private static void vline(StringBuilder s, long at, long start, int left, int top, int y0, double xs, String color,
            String label, int width) {
        double x = left + (at - start) / 1000.0 * xs;
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%d\""
                + " stroke-dasharray=\"4,3\"><title>%s</title></line>%n", x, top, x, y0, color, width, esc(label)));
        if (width > 1) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s</text>%n", x + 3, top + (width == 3 ? 10 : 22),
                    color, esc(label)));
        }
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String instant(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}

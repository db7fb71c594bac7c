package dev.streamq.lab.drill;

import java.util.List;
import java.util.Locale;

/**
 * The drill's timeline as an SVG picture: per-second submits, acks, completions and errors, with
 * the fault and +switch-master as vertical lines, and with --observe one lane per alert episode
 * below (pending, then firing, until resolved or the drill's end).
 */
final class TimelineSvg {

    private TimelineSvg() {
    }

    private static final int W = 900;
    private static final int H = 320;
    private static final int LEFT = 50;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;
    private static final int LANE = 14;

    static String of(DrillResult r) {
        StringBuilder s = new StringBuilder();
        List<DrillResult.Alert> alerts = r.alerts == null ? List.of() : r.alerts;
        int height = H + (alerts.isEmpty() ? 0 : 10 + alerts.size() * LANE);
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("<text x=\"").append(LEFT).append("\" y=\"18\" font-size=\"13\">").append(esc(r.drill))
                .append(" (").append(r.topology).append(")").append(r.passed ? " passed" : " FAILED").append("</text>\n");
        DrillResult.Timeline t = r.timeline;
        if (t == null) {
            s.append("<text x=\"").append(LEFT).append("\" y=\"60\">no timeline: ").append(esc(String.valueOf(r.error)))
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
        double xs = (W - LEFT - RIGHT) / (double) Math.max(1, last);
        double ys = (H - TOP - BOTTOM) / (double) max;
        int y0 = H - BOTTOM;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", LEFT, y0, W - RIGHT, y0));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n", LEFT, TOP, LEFT, y0));
        s.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%d/s</text>%n", TOP + 4, max));
        s.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">0</text>%n", y0));
        for (int sec = 0; sec <= last; sec += Math.max(5, last / 10 / 5 * 5)) {
            double x = LEFT + sec * xs;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>%n", x, y0 + 14, sec));
        }
        poly(s, t.submitted, n, LEFT, y0, xs, ys, "#1f77b4", "submitted/s");
        poly(s, t.acked, n, LEFT, y0, xs, ys, "#2ca02c", "acked (2xx)/s");
        poly(s, t.completed, last, LEFT, y0, xs, ys, "#9467bd", "completed/s");
        poly(s, t.errors, n, LEFT, y0, xs, ys, "#d62728", "errors/s");
        String[][] legend = {{"#1f77b4", "submitted/s"}, {"#2ca02c", "acked (2xx)/s"}, {"#9467bd", "completed/s"},
            {"#d62728", "errors/s"}, {"#000", "fault"}, {"#ff7f0e", "+switch-master"}, {"#aaa", "other marks"}};
        for (int i = 0; i < legend.length; i++) {
            int x = LEFT + i * 120;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, height - 14, legend[i][0], x + 14, height - 5, legend[i][1]));
        }
        for (int i = 0; i < alerts.size(); i++) {
            lane(s, alerts.get(i), r.faultAtMillis - t.startMillis, last, y0 + 24 + i * LANE, xs);
        }
        vline(s, r.faultAtMillis, t.startMillis, LEFT, TOP, y0, xs, "#000", "fault", 3);
        if (r.switchMasterAtMillis > 0) {
            vline(s, r.switchMasterAtMillis, t.startMillis, LEFT, TOP, y0, xs, "#ff7f0e", "+switch-master", 2);
        }
        for (DrillResult.Mark m : r.marks) {
            if (Math.abs(m.atMillis() - r.faultAtMillis) > 50) {
                vline(s, m.atMillis(), t.startMillis, LEFT, TOP, y0, xs, "#aaa", m.label(), 1);
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** One alert episode: pending in amber, firing in red, to its resolution or the chart's end. */
    private static void lane(StringBuilder s, DrillResult.Alert a, long faultFromStartMs, int seconds, int y, double xs) {
        long endMs = seconds * 1000L;
        long pending = a.pendingAtMs == null ? -1 : a.pendingAtMs + faultFromStartMs;
        long firing = a.firingAtMs == null ? -1 : a.firingAtMs + faultFromStartMs;
        long resolved = a.resolvedAtMs == null ? endMs : Math.min(endMs, a.resolvedAtMs + faultFromStartMs);
        if (pending >= 0) {
            bar(s, pending, firing >= 0 ? firing : resolved, y, xs, "#ffbf00");
        }
        if (firing >= 0) {
            bar(s, firing, resolved, y, xs, "#d62728");
        }
        long from = Math.max(0, pending >= 0 ? pending : firing);
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s %s%s</text>%n",
                LEFT + from / 1000.0 * xs + 2, y + 10, esc(a.name), esc(a.labels), a.fired() ? " (fired)" : " (pending)"));
    }

    private static void bar(StringBuilder s, long fromMs, long toMs, int y, double xs, String color) {
        double x1 = LEFT + Math.max(0, fromMs) / 1000.0 * xs;
        double x2 = Math.max(x1 + 2, LEFT + toMs / 1000.0 * xs);
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" opacity=\"0.45\"/>%n",
                x1, y, x2 - x1, LANE - 2, color));
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
}

package dev.streamq.lab.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of every round, per side, in the order they were first recorded; printed as the
 * medians of the rounds with the ratio streamq / peer.
 */
final class PeerTable {

    private final String ours;
    private final String peer;
    private final Map<String, Map<String, List<Double>>> bySide = new LinkedHashMap<>();
    private final List<String> figures = new ArrayList<>();

    PeerTable(String ours, String peer) {
        this.ours = ours;
        this.peer = peer;
        bySide.put(ours, new LinkedHashMap<>());
        bySide.put(peer, new LinkedHashMap<>());
    }

    void add(String side, String figure, double value) {
        if (!figures.contains(figure)) {
            figures.add(figure);
        }
        bySide.get(side).computeIfAbsent(figure, f -> new ArrayList<>()).add(value);
    }

    /** Every round's value, per side and figure: for the JSON. */
    Map<String, Map<String, List<Double>>> values() {
        return bySide;
    }

    static double median(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A Markdown table: figure, our median, the peer's median, ours / peer's, and the rounds' values. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("| figure (median of rounds) | %s | %s | %s / %s | rounds (%s; %s) |%n", ours, peer, ours,
                peer, ours, peer));
        sb.append("| --- | ---: | ---: | ---: | --- |\n");
        for (String figure : figures) {
            List<Double> a = bySide.get(ours).get(figure);
            List<Double> b = bySide.get(peer).get(figure);
            double ma = median(a);
            double mb = median(b);
            String ratio = Double.isNaN(ma) || Double.isNaN(mb) || mb == 0 ? "–" : String.format(Locale.ROOT, "%.2f", ma / mb);
            sb.append(String.format("| %s | %s | %s | %s | %s; %s |%n", figure, number(ma), number(mb), ratio, list(a), list(b)));
        }
        return sb.toString();
    }

    private static String list(List<Double> values) {
        if (values == null) {
            return "–";
        }
        List<String> s = new ArrayList<>();
        values.forEach(v -> s.add(number(v)));
        return String.join(" ", s);
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}

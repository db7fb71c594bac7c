package dev.streamq.lab.drill;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns Prometheus' {@code ALERTS} series (one per alert, label set and state, a sample at every
 * evaluation while the alert is pending or firing) into episodes: when each alert went pending,
 * fired and resolved. Samples further apart than 1.5 steps belong to different episodes.
 */
final class AlertTimeline {

    /** The expression read; its series carry alertname, alertstate and the alert's labels. */
    static final String SERIES = "ALERTS";

    private AlertTimeline() {
    }

    /**
     * Episodes in the {@code query_range} result of {@link #SERIES} with step {@code stepMillis}
     * that ended at {@code endMillis}; times relative to {@code faultMillis}.
     */
    static List<DrillResult.Alert> episodes(JsonNode result, long stepMillis, long endMillis, long faultMillis) {
        Map<Key, TreeMap<Long, String>> byAlert = new TreeMap<>();
        for (JsonNode series : result) {
            JsonNode metric = series.path("metric");
            Key key = new Key(metric.path("alertname").asText(), metric.path("severity").asText(""), otherLabels(metric));
            TreeMap<Long, String> samples = byAlert.computeIfAbsent(key, k -> new TreeMap<>());
            for (JsonNode value : series.path("values")) {
                samples.put(Math.round(value.get(0).asDouble() * 1000), metric.path("alertstate").asText());
            }
        }
        List<DrillResult.Alert> out = new ArrayList<>();
        for (Map.Entry<Key, TreeMap<Long, String>> e : byAlert.entrySet()) {
            Key n = e.getKey();
            Iterator<Map.Entry<Long, String>> it = e.getValue().entrySet().iterator();
            DrillResult.Alert episode = null;
            long last = Long.MIN_VALUE;
            while (it.hasNext()) {
                Map.Entry<Long, String> sample = it.next();
                long at = sample.getKey();
                if (episode != null && at - last > stepMillis * 3 / 2) {
                    episode.resolvedAtMs = last + stepMillis - faultMillis;
                    episode = null;
                }
                if (episode == null) {
                    episode = new DrillResult.Alert();
                    episode.name = n.name();
                    episode.severity = n.severity();
                    episode.labels = n.labels();
                    out.add(episode);
                }
                if (sample.getValue().equals("pending") && episode.pendingAtMs == null && episode.firingAtMs == null) {
                    episode.pendingAtMs = at - faultMillis;
                } else if (sample.getValue().equals("firing") && episode.firingAtMs == null) {
                    episode.firingAtMs = at - faultMillis;
                }
                last = at;
            }
            if (episode != null && endMillis - last > stepMillis * 3 / 2) {
                episode.resolvedAtMs = last + stepMillis - faultMillis;
            }
        }
        out.sort((a, b) -> Long.compare(start(a), start(b)));
        return out;
    }

    /** One alert's series across its states: ALERTS has one per state. */
    private record Key(String name, String severity, String labels) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            return (name + labels).compareTo(other.name + other.labels);
        }
    }

    private static long start(DrillResult.Alert a) {
        return a.pendingAtMs != null ? a.pendingAtMs : a.firingAtMs;
    }

    /** {k="v",...} of the labels other than the alert's name, state and severity; "" when none. */
    private static String otherLabels(JsonNode metric) {
        StringBuilder s = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> fields = metric.fields();
        TreeMap<String, String> sorted = new TreeMap<>();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (!List.of("__name__", "alertname", "alertstate", "severity").contains(f.getKey())) {
                sorted.put(f.getKey(), f.getValue().asText());
            }
        }
        sorted.forEach((k, v) -> s.append(s.length() == 0 ? "{" : ",").append(k).append("=\"").append(v).append('"'));
        return s.length() == 0 ? "" : s.append('}').toString();
    }
}

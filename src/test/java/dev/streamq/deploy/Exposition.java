package dev.streamq.deploy;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;

/** What a /q/metrics scrape (Prometheus text format) exports: sample names, declared types, values. */
final class Exposition {

    private final Set<String> samples = new TreeSet<>();
    private final Map<String, String> types = new HashMap<>();
    private final Map<String, Double> values = new HashMap<>();

    /** The union of several scrapes: Prometheus sees every pod, and a query reads them all. */
    static Exposition of(String... scrapes) {
        Exposition e = new Exposition();
        for (String scrape : scrapes) {
            for (String line : scrape.split("\n")) {
                e.line(line.strip());
            }
        }
        return e;
    }

    private void line(String line) {
        if (line.startsWith("# TYPE ")) {
            String[] parts = line.split("\\s+");
            if (parts.length >= 4) {
                types.put(parts[2], parts[3]);
            }
        } else if (!line.isEmpty() && !line.startsWith("#")) {
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            samples.add(line.substring(0, end));
            int space = line.lastIndexOf(' ');
            try {
                values.merge(line.substring(0, space), Double.parseDouble(line.substring(space + 1)), Double::sum);
            } catch (NumberFormatException | StringIndexOutOfBoundsException ignored) {
                // a timestamped or malformed line: its name is what matters here
            }
        }
    }

    boolean hasSample(String name) {
        return samples.contains(name);
    }

    /** The family's declared type (counter, gauge, histogram, summary), or null. */
    String type(String family) {
        return types.get(family);
    }

    /** Sum over the scrapes of the series whose name and labels start with {@code seriesPrefix}. */
    double sum(String seriesPrefix) {
        return values.entrySet().stream().filter(e -> e.getKey().startsWith(seriesPrefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    Set<String> samples() {
        return samples;
    }
}

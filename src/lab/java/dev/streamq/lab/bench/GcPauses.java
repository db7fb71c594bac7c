package dev.streamq.lab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GC pauses a service logged (-Xlog:gc:FILE:timemillis) in a steady run's measured window,
 * and whether the slowest 1 % of its jobs overlap one: the check that a latency outlier is the
 * collector's doing, not the queue's.
 */
final class GcPauses {

    private static final Pattern GC_PAUSE = Pattern.compile("^\\[(\\d+)ms\\].*Pause.* ([0-9.]+)ms\\s*$");

    private GcPauses() {
    }

    /** The JVM flag that writes the log this class reads. */
    static String logFlag(Path file) {
        return "-Xlog:gc:file=" + file + ":timemillis";
    }

    /** Figures by name: pauses in the window, the longest, their total, and the outliers on a pause. */
    static Map<String, Object> check(Path gcLog, SteadyRun.Result st) {
        List<long[]> pauses = pauses(gcLog); // {endMillis, micros}
        int inWindow = 0;
        int over5 = 0;
        long maxMicros = 0;
        long sumMicros = 0;
        for (long[] pause : pauses) {
            if (pause[0] >= st.from() && pause[0] <= st.to()) {
                inWindow++;
                sumMicros += pause[1];
                maxMicros = Math.max(maxMicros, pause[1]);
                if (pause[1] > 5000) {
                    over5++;
                }
            }
        }
        // the slowest 1 % of the measured jobs (ties at the p99 value broken arbitrarily)
        List<long[]> byLatency = new ArrayList<>(st.jobs());
        byLatency.sort((x, y) -> Long.compare(y[1] - y[0], x[1] - x[0]));
        int slowest = (int) Math.ceil(byLatency.size() / 100.0);
        int outliers = 0;
        int outliersOnGc = 0;
        int jobsOnGc = 0;
        for (int j = 0; j < byLatency.size(); j++) {
            boolean onGc = overlapsAPause(byLatency.get(j), pauses);
            if (onGc) {
                jobsOnGc++;
            }
            if (j < slowest) {
                outliers++;
                if (onGc) {
                    outliersOnGc++;
                }
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("gc_pauses_in_window", inWindow);
        figures.put("gc_pauses_over_5ms_in_window", over5);
        figures.put("gc_pause_max_ms", Bench.round(maxMicros / 1000.0));
        figures.put("gc_pause_total_ms", Bench.round(sumMicros / 1000.0));
        figures.put("e2e_slowest_1pct_jobs", outliers);
        figures.put("e2e_slowest_1pct_overlapping_gc", outliersOnGc);
        figures.put("e2e_all_jobs_overlapping_gc_pct", st.jobs().isEmpty() ? 0 : Bench.round(100.0 * jobsOnGc / st.jobs().size()));
        return figures;
    }

    /** {@code job}: {offered, finished}; a pause ends at pause[0] and lasted pause[1] µs. */
    private static boolean overlapsAPause(long[] job, List<long[]> pauses) {
        for (long[] pause : pauses) {
            long pauseStart = pause[0] - (pause[1] + 999) / 1000 - 1;
            if (pauseStart <= job[1] && pause[0] + 1 >= job[0]) {
                return true;
            }
        }
        return false;
    }

    /** {endMillis, micros} of every "Pause" line of the log. */
    private static List<long[]> pauses(Path file) {
        List<long[]> pauses = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return pauses;
        }
        for (String line : lines) {
            Matcher m = GC_PAUSE.matcher(line);
            if (m.find()) {
                pauses.add(new long[] {Long.parseLong(m.group(1)), Math.round(Double.parseDouble(m.group(2)) * 1000)});
            }
        }
        return pauses;
    }
}

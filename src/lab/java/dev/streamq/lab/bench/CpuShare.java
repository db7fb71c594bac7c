package dev.streamq.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CPU accounting of a measured window from /proc: utime+stime per named process and
 * busy/total jiffies of the machine, as top computes its %CPU. Load client, Redis and the
 * service share the machine's cores, so every figure names who used them.
 */
final class CpuShare {

    private static final double HZ = 100; // USER_HZ, 100 on Linux
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    record Snapshot(long nanos, long busy, long total, long irq, Map<String, Long> pids, Map<String, Long> ticks,
            Map<Long, Long> all, Map<Long, String> names) { }

    static Snapshot snapshot(Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ticks.put(name, procTicks(pid)));
        long busy = 0;
        long total = 0;
        long irq = 0;
        try {
            String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < f.length && i <= 8; i++) {
                long x = Long.parseLong(f[i]);
                total += x;
                if (i != 4 && i != 5) { // idle, iowait
                    busy += x;
                }
                if (i == 6 || i == 7) { // irq, softirq: loopback TCP is mostly softirq
                    irq += x;
                }
            }
        } catch (IOException | RuntimeException e) {
            busy = -1;
        }
        // every other process too, so that "other" can be named
        Map<Long, Long> all = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        try (var dirs = Files.newDirectoryStream(Paths.get("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                long pid = Long.parseLong(d.getFileName().toString());
                try {
                    String st = Files.readString(d.resolve("stat"));
                    String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                    all.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    names.put(pid, st.substring(st.indexOf('(') + 1, st.lastIndexOf(')')));
                } catch (IOException | RuntimeException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // no attribution then
        }
        return new Snapshot(System.nanoTime(), busy, total, irq, pids, ticks, all, names);
    }

    private static long procTicks(long pid) {
        try {
            String s = Files.readString(Paths.get("/proc", String.valueOf(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15: utime, stime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** "streamq 120%, redis 40%, wrk 30%, lab 2%, other 5%, machine busy 197% of 200%". */
    static String share(Snapshot a, Snapshot b, double wrkCpuSeconds) {
        double wall = (b.nanos - a.nanos) / 1e9;
        StringBuilder sb = new StringBuilder();
        double known = 0;
        for (Map.Entry<String, Long> e : b.ticks.entrySet()) {
            Long before = a.ticks.get(e.getKey());
            if (before == null || before < 0 || e.getValue() < 0) {
                continue;
            }
            double pct = (e.getValue() - before) / HZ / wall * 100;
            known += pct;
            sb.append(e.getKey()).append(String.format(Locale.ROOT, " %.0f%%, ", pct));
        }
        if (wrkCpuSeconds > 0) {
            // wrk ran for about the window; its CPU over its lifetime, spread over the window
            double pct = wrkCpuSeconds / wall * 100;
            known += pct;
            sb.append(String.format(Locale.ROOT, "wrk %.0f%%, ", pct));
        }
        double machine = a.busy < 0 || b.busy < 0 || b.total == a.total ? Double.NaN
                : (double) (b.busy - a.busy) / (b.total - a.total) * CORES * 100;
        double irq = b.total == a.total ? 0 : (double) (b.irq - a.irq) / (b.total - a.total) * CORES * 100;
        sb.append(String.format(Locale.ROOT, "other %.0f%%", Math.max(0, machine - known)));
        // name what "other" is: irq/softirq time and the busiest processes not listed above
        List<String> others = new ArrayList<>();
        if (irq >= 2) {
            others.add(String.format(Locale.ROOT, "irq+softirq %.0f%%", irq));
        }
        Set<Long> listed = new HashSet<>(b.pids.values());
        b.all.entrySet().stream()
                .filter(e -> !listed.contains(e.getKey())) // started in the window: counted from 0
                .map(e -> Map.entry(e.getKey(), (e.getValue() - a.all.getOrDefault(e.getKey(), 0L)) / HZ / wall * 100))
                .filter(e -> e.getValue() >= 2)
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).limit(3)
                .forEach(e -> others.add(String.format(Locale.ROOT, "%s[%d] %.0f%%", b.names.get(e.getKey()),
                        e.getKey(), e.getValue())));
        if (!others.isEmpty()) {
            sb.append(" (").append(String.join(", ", others)).append(')');
        }
        sb.append(String.format(Locale.ROOT, ", machine busy %.0f%% of %d%% (%.1f s)", machine, CORES * 100, wall));
        return sb.toString();
    }

    /** CPU of the process named {@code name} between two snapshots, in µs per job of {@code jobs}; NaN when unknown. */
    static double microsPerJob(Snapshot a, Snapshot b, String name, long jobs) {
        Long before = a.ticks.get(name);
        Long after = b.ticks.get(name);
        if (before == null || after == null || before < 0 || after < 0 || jobs <= 0) {
            return Double.NaN;
        }
        return (after - before) / HZ * 1e6 / jobs;
    }

    /** CPU of the process named {@code name} between two snapshots, in % of one core (as top); NaN when unknown. */
    static double percentOfCore(Snapshot a, Snapshot b, String name) {
        Long before = a.ticks.get(name);
        Long after = b.ticks.get(name);
        double wall = (b.nanos - a.nanos) / 1e9;
        if (before == null || after == null || before < 0 || after < 0 || wall <= 0) {
            return Double.NaN;
        }
        return (after - before) / HZ / wall * 100;
    }

    /** Seconds between two snapshots. */
    static double seconds(Snapshot a, Snapshot b) {
        return (b.nanos - a.nanos) / 1e9;
    }

    /** The processes a bench window names: the service under test, its redis, and the lab itself. */
    static Snapshot of(long servicePid, long redisPid) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("streamq", servicePid);
        pids.put("redis", redisPid);
        pids.put("lab", ProcessHandle.current().pid());
        return snapshot(pids);
    }

    /** /proc/loadavg's 1, 5 and 15 minute averages, what uptime prints: how busy the box was around a bench. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}

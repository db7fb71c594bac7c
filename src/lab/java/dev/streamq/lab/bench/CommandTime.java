package dev.streamq.lab.bench;

import dev.streamq.lab.RespClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a redis-server spent its command time on over a window, from {@code INFO commandstats}
 * (calls and µs per command, counted by Redis itself). /proc says how much CPU a master used;
 * this says how much of it ran commands and which ones, so an uneven split over the shards
 * can be traced to the commands that made it. Not summed: Redis counts the commands a script
 * runs under their own names too, and their time is also inside the script's (EVALSHA), so a
 * total would count script work twice.
 */
record CommandTime(Map<String, long[]> byCommand) {

    /** The counters now; empty when the server does not answer (the figure is then missing, not zero). */
    static CommandTime of(int port) {
        try (RespClient client = RespClient.connect(port)) {
            return parse(client.info("commandstats"));
        } catch (RuntimeException e) {
            return new CommandTime(Map.of());
        }
    }

    /** "cmdstat_evalsha" -> "calls=12,usec=345,usec_per_call=..." into command -> {calls, usec}. */
    static CommandTime parse(Map<String, String> info) {
        Map<String, long[]> by = new HashMap<>();
        info.forEach((key, value) -> {
            if (!key.startsWith("cmdstat_")) {
                return;
            }
            long calls = 0;
            long usec = 0;
            for (String field : value.split(",")) {
                String[] kv = field.split("=", 2);
                if (kv.length == 2 && kv[0].equals("calls")) {
                    calls = Long.parseLong(kv[1]);
                } else if (kv.length == 2 && kv[0].equals("usec")) {
                    usec = Long.parseLong(kv[1]);
                }
            }
            by.put(key.substring("cmdstat_".length()), new long[] {calls, usec});
        });
        return new CommandTime(by);
    }

    /** Calls and µs of each command between {@code before} and this. */
    CommandTime since(CommandTime before) {
        Map<String, long[]> by = new HashMap<>();
        byCommand.forEach((command, now) -> {
            long[] then = before.byCommand.getOrDefault(command, new long[] {0, 0});
            if (now[0] > then[0]) {
                by.put(command, new long[] {now[0] - then[0], now[1] - then[1]});
            }
        });
        return new CommandTime(by);
    }

    /** "evalsha 22.0 µs 2.0 calls, info 3.1 µs 1.0 calls" per job: the {@code top} costliest commands. */
    String describe(long jobs, int top) {
        if (byCommand.isEmpty() || jobs <= 0) {
            return "command time unknown";
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(byCommand.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, long[]> e : sorted.subList(0, Math.min(top, sorted.size()))) {
            parts.add(String.format(Locale.ROOT, "%s %.1f µs %.2f calls", e.getKey(), (double) e.getValue()[1] / jobs,
                    (double) e.getValue()[0] / jobs));
        }
        return "per job: " + String.join(", ", parts);
    }
}

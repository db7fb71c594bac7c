package dev.streamq.queue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What readiness needs from the server the client writes to: its ROLE, and whether it refuses
 * writes for lack of memory. Redis refuses a write under noeviction when its used memory, less
 * the buffers it does not count for eviction (replication and AOF), is above maxmemory: the
 * same sum is read here from INFO memory.
 */
public record ServerState(String role, boolean memoryFull) {

    private static final Pattern FIELD = Pattern.compile("^(used_memory|maxmemory|mem_not_counted_for_evict):(\\d+)",
            Pattern.MULTILINE);

    static ServerState of(String role, String infoMemory) {
        long used = 0;
        long max = 0;
        long notCounted = 0;
        Matcher m = FIELD.matcher(infoMemory);
        while (m.find()) {
            long value = Long.parseLong(m.group(2));
            switch (m.group(1)) {
                case "used_memory" -> used = value;
                case "maxmemory" -> max = value;
                default -> notCounted = value;
            }
        }
        return new ServerState(role, max > 0 && used - notCounted > max);
    }
}

package dev.streamq.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One redis-sentinel process watching one master, with its own directory, config and log,
 * plus a parser for the events it logs.
 *
 * <p>Why parse the log: the {@code +sdown}/{@code +odown}/{@code +switch-master} lines carry
 * millisecond timestamps, so a drill can tell "detection took X ms, promotion took Y ms" from the
 * sentinel's own clock rather than from polling.
 */
public final class SentinelNode extends RedisProcess<SentinelNode> {

    public static final String DEFAULT_MASTER_NAME = "mymaster";

    /** "12345:X 29 Nov 2025 12:10:00.123 # +switch-master mymaster 127.0.0.1 p1 127.0.0.1 p2" */
    private static final Pattern EVENT_LINE = Pattern.compile(
            "^\\d+:X (\\d{1,2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) [.\\-*#] ([+-][\\w-]+)(?: (.*))?$");
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH);

    private final String masterName;

    private SentinelNode(Builder b) {
        super("redis-sentinel", b.name, b.port, b.dir, "sentinel.conf", List.of(
                // Everything is an IP on loopback: no DNS, and other sentinels/clients must be told 127.0.0.1.
                "sentinel resolve-hostnames no",
                "sentinel announce-ip 127.0.0.1",
                "sentinel monitor " + b.masterName + " 127.0.0.1 " + b.masterPort + " " + b.quorum,
                "sentinel down-after-milliseconds " + b.masterName + " " + b.downAfterMillis,
                "sentinel failover-timeout " + b.masterName + " " + b.failoverTimeoutMillis,
                "sentinel parallel-syncs " + b.masterName + " 1"));
        this.masterName = b.masterName;
    }

    public static Builder builder(Path dir, int masterPort) {
        return new Builder(dir, masterPort);
    }

    public String masterName() {
        return masterName;
    }

    /** The master's port per SENTINEL get-master-addr-by-name, or null if this sentinel does not know. */
    public Integer masterPort() {
        List<?> addr = masterAddr();
        return addr == null ? null : Integer.valueOf(String.valueOf(addr.get(1)));
    }

    /** {ip, port} per SENTINEL get-master-addr-by-name, or null. */
    private List<?> masterAddr() {
        List<?> addr = (List<?>) RespClient.once(port(), RespClient.DEFAULT_TIMEOUT,
                "SENTINEL", "get-master-addr-by-name", masterName);
        return addr == null || addr.size() < 2 ? null : addr;
    }

    /** SENTINEL master &lt;name&gt; as a map (flags, num-slaves, num-other-sentinels, quorum ...). */
    public Map<String, String> masterState() {
        return RespClient.pairs(RespClient.once(port(), RespClient.DEFAULT_TIMEOUT, "SENTINEL", "master", masterName));
    }

    /** SENTINEL replicas &lt;name&gt;: one map per known replica (ip, port, flags, master-link-status ...). */
    public List<Map<String, String>> replicas() {
        return entries("replicas");
    }

    /** SENTINEL sentinels &lt;name&gt;: one map per other sentinel this one knows. */
    public List<Map<String, String>> otherSentinels() {
        return entries("sentinels");
    }

    private List<Map<String, String>> entries(String subcommand) {
        List<?> reply = (List<?>) RespClient.once(port(), RespClient.DEFAULT_TIMEOUT, "SENTINEL", subcommand, masterName);
        List<Map<String, String>> result = new ArrayList<>();
        if (reply != null) {
            for (Object entry : reply) {
                result.add(RespClient.pairs(entry));
            }
        }
        return result;
    }

    /** Every +event / -event line of the log so far, oldest first. Read fresh on each call. */
    public List<Event> events() {
        List<String> lines;
        try {
            lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Event> events = new ArrayList<>();
        for (String line : lines) {
            Event event = parseEvent(line);
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    /** Only events of one type, e.g. "+switch-master". */
    public List<Event> events(String type) {
        List<Event> matching = new ArrayList<>();
        for (Event event : events()) {
            if (event.type().equals(type)) {
                matching.add(event);
            }
        }
        return matching;
    }

    /** Parses one sentinel log line; null when it is not an event line. Times are the machine's local zone. */
    static Event parseEvent(String line) {
        Matcher m = EVENT_LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        Instant time = LocalDateTime.parse(m.group(1), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant();
        return new Event(time, m.group(2), m.group(3) == null ? "" : m.group(3));
    }

    /** One logged sentinel event: "+switch-master", "mymaster 127.0.0.1 1 127.0.0.1 2" at a time. */
    public record Event(Instant time, String type, String detail) {
        @Override
        public String toString() {
            return time + " " + type + " " + detail;
        }
    }

    public static final class Builder extends RedisProcess.Builder<Builder> {
        private final int masterPort;
        private String masterName = DEFAULT_MASTER_NAME;
        private int quorum = 1;
        private int downAfterMillis = 1000;
        private int failoverTimeoutMillis = 5000;

        private Builder(Path dir, int masterPort) {
            super(dir, "sentinel");
            this.masterPort = masterPort;
        }

        public Builder masterName(String value) {
            masterName = value;
            return this;
        }

        public Builder quorum(int value) {
            quorum = value;
            return this;
        }

        /** How long the master must be unreachable before this sentinel flags it +sdown. */
        public Builder downAfterMillis(int value) {
            downAfterMillis = value;
            return this;
        }

        /**
         * Failover timeout. Also the spacing of retries: a sentinel waits 2x this before trying
         * to fail over the same master again, so a large value slows recovery from a split vote.
         */
        public Builder failoverTimeoutMillis(int value) {
            failoverTimeoutMillis = value;
            return this;
        }

        /** Writes the config and starts redis-sentinel. */
        public SentinelNode start() {
            return new SentinelNode(this).start();
        }
    }
}

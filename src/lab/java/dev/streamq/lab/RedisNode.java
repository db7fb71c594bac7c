package dev.streamq.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One redis-server process with its own directory, config, AOF and log.
 *
 * <p>The config is written once, at first start. {@link #restart()} reuses the same file, port
 * and directory on purpose: the AOF brings the data back (as after a pod restart with a
 * persistent volume), and a {@code replicaof} line that Sentinel wrote into the file with
 * CONFIG REWRITE survives, exactly as it would in production.
 */
public final class RedisNode extends RedisProcess<RedisNode> {

    private RedisNode(Builder builder) {
        super("redis-server", builder.name, builder.port, builder.dir, "redis.conf", settings(builder));
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    private static List<String> settings(Builder b) {
        List<String> lines = new ArrayList<>();
        // Durability as the queue expects it in production: AOF, fsync once a second, no RDB snapshots.
        lines.add("appendonly yes");
        lines.add("appendfsync everysec");
        lines.add("save \"\"");
        // A queue must refuse writes when full rather than silently drop jobs.
        lines.add("maxmemory-policy noeviction");
        // Replicas must advertise the loopback address so Sentinel and clients reach them.
        lines.add("replica-announce-ip 127.0.0.1");
        // Redis 7 waits 5 s before a diskless full sync by default; the lab would wait for nothing.
        lines.add("repl-diskless-sync-delay 0");
        if (b.minReplicasToWrite > 0) {
            lines.add("min-replicas-to-write " + b.minReplicasToWrite);
            lines.add("min-replicas-max-lag " + b.minReplicasMaxLag);
        }
        if (b.replicaOfPort != null) {
            lines.add("replicaof 127.0.0.1 " + b.replicaOfPort);
        }
        b.extra.forEach((key, value) -> lines.add(key + " " + value));
        return lines;
    }

    /** A new client connection; the caller closes it. */
    public RespClient client() {
        return RespClient.connect(port());
    }

    /** First element of ROLE: "master" or "slave". Throws when the node is unreachable. */
    public String role() {
        List<?> role = (List<?>) RespClient.once(port(), RespClient.DEFAULT_TIMEOUT, "ROLE");
        return String.valueOf(role.get(0));
    }

    /** INFO replication as a map (role, master_port, master_link_status, connected_slaves ...). */
    public Map<String, String> replicationInfo() {
        try (RespClient client = client()) {
            return client.info("replication");
        }
    }

    /** True when this node is a replica whose link to its master is up. */
    public boolean isReplicaLinkUp() {
        try {
            Map<String, String> info = replicationInfo();
            return "slave".equals(info.get("role")) && "up".equals(info.get("master_link_status"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Waits until a write on this master is acknowledged by {@code replicas} replicas through
     * WAIT, the check a durable job goes through. Neither the replica's "link up" nor the
     * master's "state=online" is enough: after a full sync the master streams to the replica
     * only from its first REPLCONF ACK, up to a second later. Nor is a WAIT on a write made
     * before the master lists the replicas online: that write can be in the sync's snapshot, so
     * the replica's first ACK (sent when it has loaded the snapshot) covers it even when it reached
     * the master too early to start the stream, and the next write then waits for the replica's
     * once-a-second ACK (seen: 4 of 60 restarts, a write 0.92 s later acked after ~0.9 s). So the
     * probe is written only once the master lists them online. Leaves no key behind.
     */
    public void awaitReplicaAcks(int replicas, Duration timeout) {
        awaitReplicaAcks(replicas, timeout, "lab:wait-probe");
    }

    /**
     * The same with the probe written to {@code probeKey}: on a cluster master it must be a key
     * of a slot this master serves (a hash tag of one of its queues), or the write is MOVED.
     */
    public void awaitReplicaAcks(int replicas, Duration timeout, String probeKey) {
        Await.condition(name() + " to get WAIT acks from " + replicas + " replica(s)", timeout, Duration.ofMillis(50), () -> {
            try (RespClient client = client()) {
                if (onlineReplicas(client.info("replication")) < replicas) {
                    return false;
                }
                client.call("SET", probeKey, "1");
                client.call("DEL", probeKey);
                return client.callLong("WAIT", String.valueOf(replicas), "200") >= replicas;
            }
        });
    }

    /** The replicas a master's INFO replication lists in state online (lines slave0, slave1, ...). */
    private static long onlineReplicas(Map<String, String> info) {
        return info.entrySet().stream()
                .filter(e -> e.getKey().matches("slave\\d+") && e.getValue().contains("state=online"))
                .count();
    }

    /**
     * True when this node is a master that Redis itself lets write: with min-replicas-to-write
     * set, INFO's min_slaves_good_slaves (replicas online within max-lag) must reach it.
     */
    public boolean acceptsWrites(int minReplicas) {
        Map<String, String> info = replicationInfo();
        if (!"master".equals(info.get("role"))) {
            return false;
        }
        String good = info.get("min_slaves_good_slaves");
        return minReplicas == 0 || (good != null && Integer.parseInt(good) >= minReplicas);
    }

    /** Settings for a node. */
    public static final class Builder extends RedisProcess.Builder<Builder> {
        private Integer replicaOfPort;
        private int minReplicasToWrite;
        private int minReplicasMaxLag = 10;
        private final Map<String, String> extra = new LinkedHashMap<>();

        private Builder(Path dir) {
            super(dir, "redis");
        }

        /** Start as a replica of 127.0.0.1:masterPort. */
        public Builder replicaOf(int masterPort) {
            replicaOfPort = masterPort;
            return this;
        }

        /**
         * When this node is master, refuse writes unless {@code count} replicas acked within
         * {@code maxLagSeconds}. 0 disables (the redis default).
         */
        public Builder minReplicas(int count, int maxLagSeconds) {
            minReplicasToWrite = count;
            minReplicasMaxLag = maxLagSeconds;
            return this;
        }

        /** Any other redis.conf directive, written verbatim as "key value". */
        public Builder setting(String key, String value) {
            extra.put(key, value);
            return this;
        }

        /** Writes the config and starts redis-server. */
        public RedisNode start() {
            return new RedisNode(this).start();
        }
    }
}

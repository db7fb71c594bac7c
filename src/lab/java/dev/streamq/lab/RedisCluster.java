package dev.streamq.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of 3 masters with 1 replica each, as real {@code redis-server
 * --cluster-enabled yes} processes on loopback, created with {@code redis-cli --cluster create}.
 *
 * <p>Every node runs {@code cluster-require-full-coverage no}, so a shard without a master stops
 * only the slots (queues) it owns, and {@code min-replicas-to-write 1} / {@code
 * min-replicas-max-lag 10} for the reason {@link Topology} gives for Sentinel: a master cut off
 * from its replica refuses writes a failover would discard. The price is the same as MVP's: after
 * a failover the promoted replica has no replica of its own until the killed node rejoins, so
 * that shard refuses writes until then.
 *
 * <p>The cluster's own view ({@code CLUSTER NODES} of a live node) is the truth here: which node
 * is master of which slots changes with a failover or a slot move, so nothing is cached.
 */
public final class RedisCluster implements RedisDeployment {

    /** Slots of a Redis Cluster. */
    public static final int SLOTS = 16384;
    static final int MASTERS = 3;
    /** Keys per MIGRATE in {@link #moveSlot}: redis-cli's default (--cluster-pipeline 10), so a busy slot's move takes many steps. */
    public static final int MIGRATE_BATCH = 10;

    /** One master, the slot ranges it serves and its replicas, as the cluster sees them now. */
    public record Shard(RedisNode master, String masterId, List<int[]> slotRanges, List<RedisNode> replicas) {

        public boolean owns(int slot) {
            return slotRanges.stream().anyMatch(r -> slot >= r[0] && slot <= r[1]);
        }

        /** The lowest slot it serves: a stable name for a shard whose master changes in a failover. */
        public int firstSlot() {
            return slotRanges.stream().mapToInt(r -> r[0]).min().orElse(SLOTS);
        }

        public int slotCount() {
            return slotRanges.stream().mapToInt(r -> r[1] - r[0] + 1).sum();
        }
    }

    /** A replica's promotion after its master's death: who and how long after the call. */
    public record Promotion(RedisNode newMaster, Duration took) {
        @Override
        public String toString() {
            return newMaster.name() + " promoted in " + took.toMillis() + " ms";
        }
    }

    private final List<RedisNode> nodes;
    private final Options options;
    private final Path dir;

    private RedisCluster(List<RedisNode> nodes, Options options, Path dir) {
        this.nodes = List.copyOf(nodes);
        this.options = options;
        this.dir = dir;
    }

    /**
     * Starts 6 nodes under {@code workDir}, joins them into a cluster with {@code redis-cli
     * --cluster create --cluster-replicas 1} and returns once every node says cluster_state:ok
     * and every master takes writes (its replica linked). On failure every node is killed.
     */
    public static RedisCluster start(Path workDir, Options options) {
        Path dir = workDir.toAbsolutePath();
        List<RedisNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS * 2; i++) {
                nodes.add(RedisNode.builder(dir.resolve("node-" + i)).name("node-" + i)
                        .minReplicas(options.minReplicasToWrite, options.minReplicasMaxLag)
                        // The bus port defaults to port + 10000, inside the kernel's ephemeral range
                        // where a client connection may hold it (a start failed so: "bind: Address
                        // already in use" on the bus port); a port of its own from Ports avoids that.
                        .setting("cluster-port", String.valueOf(Ports.free()))
                        .setting("cluster-enabled", "yes")
                        // Relative to the node's dir: a restart finds who it was and rejoins as that node.
                        .setting("cluster-config-file", "nodes.conf")
                        .setting("cluster-node-timeout", String.valueOf(options.nodeTimeoutMillis))
                        .setting("cluster-require-full-coverage", "no")
                        .start());
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            runTool(create, options.startTimeout, dir.resolve("cluster-create.log"));
            RedisCluster cluster = new RedisCluster(nodes, options, dir);
            cluster.awaitHealthy(options.startTimeout);
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisNode::close);
            throw e;
        }
    }

    public static RedisCluster start(Path workDir) {
        return start(workDir, new Options());
    }

    /** Every node, in start order. */
    public List<RedisNode> nodes() {
        return nodes;
    }

    public Options options() {
        return options;
    }

    /**
     * Waits until every live node says cluster_state:ok, all of them agree on 3 masters owning
     * all 16384 slots, and every master has a linked replica and so takes writes.
     */
    public void awaitHealthy(Duration timeout) {
        Await.condition("every live cluster node to say cluster_state:ok and every master to take writes", timeout,
                Duration.ofMillis(200), () -> {
                    for (RedisNode node : nodes) {
                        if (!node.isAlive()) {
                            continue;
                        }
                        try (RespClient client = node.client()) {
                            if (!"ok".equals(RespClient.parseInfo(client.callString("CLUSTER", "INFO")).get("cluster_state"))) {
                                return false;
                            }
                        }
                    }
                    List<Shard> shards = shards();
                    return shards.size() == MASTERS && shards.stream().mapToInt(Shard::slotCount).sum() == SLOTS
                            && shards.stream().allMatch(s -> s.master().acceptsWrites(options.minReplicasToWrite)
                                    && s.replicas().stream().anyMatch(RedisNode::isReplicaLinkUp));
                });
    }

    /** The shards as the first live node answering CLUSTER NODES sees them, by first slot. */
    public List<Shard> shards() {
        List<String[]> lines = clusterNodes();
        Map<String, RedisNode> byId = new LinkedHashMap<>();
        for (String[] line : lines) {
            byId.put(line[0], node(port(line[1])));
        }
        List<Shard> shards = new ArrayList<>();
        for (String[] line : lines) {
            List<int[]> ranges = slotRanges(line);
            if (!line[2].contains("master") || line[2].contains("fail") && !line[2].contains("fail?") || ranges.isEmpty()) {
                continue;
            }
            List<RedisNode> replicas = new ArrayList<>();
            for (String[] other : lines) {
                if (other[3].equals(line[0])) {
                    replicas.add(byId.get(other[0]));
                }
            }
            shards.add(new Shard(byId.get(line[0]), line[0], ranges, replicas));
        }
        shards.sort(Comparator.comparingInt(Shard::firstSlot));
        return shards;
    }

    /** The shard that serves {@code slot} now. */
    public Shard shardOf(int slot) {
        return shards().stream().filter(s -> s.owns(slot)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot));
    }

    /** CLUSTER MYID of a live node. */
    public String nodeId(RedisNode node) {
        try (RespClient client = node.client()) {
            return client.callString("CLUSTER", "MYID");
        }
    }

    /** The node of this cluster on {@code port}. */
    public RedisNode node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node of this cluster on port " + port));
    }

    /**
     * Waits until a former replica of {@code deadMaster} (killed by the caller) answers ROLE
     * master and serves {@code slot}, a slot the dead master served, in its own CLUSTER NODES.
     * The duration counts from this call.
     */
    public Promotion awaitPromotion(RedisNode deadMaster, int slot, Duration timeout) {
        long start = System.nanoTime();
        RedisNode promoted = Await.until("a replica of " + deadMaster + " to be promoted for slot " + slot, timeout,
                Duration.ofMillis(50), () -> {
                    for (RedisNode candidate : nodes) {
                        if (candidate == deadMaster || !candidate.isAlive() || !"master".equals(candidate.role())) {
                            continue;
                        }
                        String id = nodeId(candidate);
                        for (String[] line : clusterNodes(candidate)) {
                            if (line[0].equals(id) && slotRanges(line).stream().anyMatch(r -> slot >= r[0] && slot <= r[1])) {
                                return candidate;
                            }
                        }
                    }
                    return null;
                });
        return new Promotion(promoted, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Waits until {@code node} (a restarted old master) is a replica with its link up and the cluster is healthy again. */
    public void awaitRejoined(RedisNode node, Duration timeout) {
        Await.condition(node + " to rejoin as a linked replica", timeout, Duration.ofMillis(100), node::isReplicaLinkUp);
        awaitHealthy(timeout);
    }

    /**
     * Moves exactly {@code slot}, keys included, from the master serving it to {@code target}
     * (a master), the way redis-cli's reshard moves each slot: the target IMPORTING, the source
     * MIGRATING, MIGRATE the keys in batches, then SETSLOT NODE on both and on the other masters.
     * redis-cli 7.0 picks the slots a reshard moves itself (no per-slot option), so one exact slot
     * is moved here. While keys are split between the two, clients get ASK for the moved keys and
     * TRYAGAIN for a multi-key call over both. Returns the number of keys moved.
     */
    public int moveSlot(int slot, RedisNode target) {
        Shard source = shardOf(slot);
        if (source.master() == target) {
            throw new IllegalArgumentException("slot " + slot + " is on " + target + " already");
        }
        String targetId = nodeId(target);
        int moved = 0;
        try (RespClient to = target.client(); RespClient from = source.master().client()) {
            to.call("CLUSTER", "SETSLOT", String.valueOf(slot), "IMPORTING", source.masterId());
            from.call("CLUSTER", "SETSLOT", String.valueOf(slot), "MIGRATING", targetId);
            while (true) {
                List<Object> keys = from.callList("CLUSTER", "GETKEYSINSLOT", String.valueOf(slot),
                        String.valueOf(MIGRATE_BATCH));
                if (keys.isEmpty()) {
                    break;
                }
                List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", String.valueOf(target.port()), "", "0",
                        String.valueOf(options.migrateTimeoutMillis), "KEYS"));
                keys.forEach(k -> migrate.add(String.valueOf(k)));
                from.call(migrate.toArray(String[]::new));
                moved += keys.size();
                Await.sleep(Duration.ofMillis(options.migratePauseMillis));
            }
            to.call("CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", targetId);
            from.call("CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", targetId);
        }
        // The other masters learn it by gossip too; telling them ends their redirects to the old owner sooner.
        for (Shard other : shards()) {
            if (other.master() != target && other.master() != source.master()) {
                try (RespClient client = other.master().client()) {
                    client.call("CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", targetId);
                }
            }
        }
        return moved;
    }

    /** {@code redis-cli --cluster reshard}: moves {@code slots} slots (redis-cli picks which) from one master to another. */
    public void reshard(RedisNode from, RedisNode to, int slots) {
        runTool(List.of("redis-cli", "--cluster", "reshard", "127.0.0.1:" + from.port(), "--cluster-from", nodeId(from),
                "--cluster-to", nodeId(to), "--cluster-slots", String.valueOf(slots), "--cluster-yes"),
                Duration.ofSeconds(120), dir.resolve("cluster-reshard.log"));
    }

    /**
     * Queue names, {@code prefix}-0, -1, ..., chosen so every shard serves exactly {@code perShard}
     * of them (a queue's keys share the hash tag {name}, so a queue lives in one slot), in name order.
     */
    public List<String> queuesOnEveryShard(String prefix, int perShard) {
        List<Shard> shards = shards();
        Map<Integer, Integer> taken = new LinkedHashMap<>();
        List<String> queues = new ArrayList<>();
        for (int i = 0; queues.size() < perShard * shards.size(); i++) {
            if (i > 100_000) {
                throw new IllegalStateException("no " + perShard + " queues per shard among 100000 names");
            }
            String queue = prefix + "-" + i;
            int shard = shardIndex(shards, slotOfQueue(queue));
            if (taken.merge(shard, 1, Integer::sum) <= perShard) {
                queues.add(queue);
            }
        }
        return queues;
    }

    private static int shardIndex(List<Shard> shards, int slot) {
        for (int i = 0; i < shards.size(); i++) {
            if (shards.get(i).owns(slot)) {
                return i;
            }
        }
        throw new IllegalStateException("no shard serves slot " + slot);
    }

    /** The slot of a queue: the one of its hash tag {name}, which every key of the queue carries. */
    public static int slotOfQueue(String queue) {
        return slot("streamq:{" + queue + "}:ready");
    }

    /**
     * The Cluster slot of a key: CRC16 (XMODEM) of the key, or of its hash tag (what is between the
     * first '{' and the next '}', when not empty), mod 16384. Written out here rather than taken
     * from the client under test (Vert.x' ZModem), for the reason {@link RespClient} gives.
     */
    public static int slot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int from = 0;
        int to = bytes.length;
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                from = key.substring(0, open + 1).getBytes(StandardCharsets.UTF_8).length;
                to = key.substring(0, close).getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return crc16(bytes, from, to) % SLOTS;
    }

    /** CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection, as Redis Cluster uses. */
    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (bytes[i] & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xFFFF;
        }
        return crc;
    }

    /** Every node as a seed, for QUARKUS_REDIS_HOSTS: the client discovers the slots from any live one. */
    public String redisHosts() {
        return nodes.stream().map(RedisNode::uri).collect(Collectors.joining(","));
    }

    @Override
    public Map<String, String> serviceEnv() {
        return Map.of("QUARKUS_REDIS_HOSTS", redisHosts(), "QUARKUS_REDIS_CLIENT_TYPE", "cluster");
    }

    /** Kills every node by PID. */
    @Override
    public void close() {
        nodes.forEach(RedisNode::close);
    }

    @Override
    public String toString() {
        return "CLUSTER " + nodes;
    }

    private List<String[]> clusterNodes() {
        RuntimeException last = null;
        for (RedisNode node : nodes) {
            if (!node.isAlive()) {
                continue;
            }
            try {
                return clusterNodes(node);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no live cluster node answers CLUSTER NODES", last);
    }

    /**
     * CLUSTER NODES of one node, a line per node split on spaces: id, ip:port@cport, flags,
     * master id (or -), ping sent, pong received, config epoch, link state, slots...
     */
    private static List<String[]> clusterNodes(RedisNode node) {
        String text;
        try (RespClient client = node.client()) {
            text = client.callString("CLUSTER", "NODES");
        }
        List<String[]> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.trim().split(" "));
            }
        }
        return lines;
    }

    /** "127.0.0.1:30001@40001" -> 30001. */
    private static int port(String address) {
        String hostPort = address.split("@")[0];
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** The slot ranges of a CLUSTER NODES line: "0-5460", "5461"; "[slot->-id]" (a slot moving) is skipped. */
    static List<int[]> slotRanges(String[] line) {
        List<int[]> ranges = new ArrayList<>();
        for (int i = 8; i < line.length; i++) {
            String field = line[i];
            if (field.startsWith("[")) {
                continue;
            }
            int dash = field.indexOf('-');
            ranges.add(dash < 0 ? new int[] {Integer.parseInt(field), Integer.parseInt(field)}
                    : new int[] {Integer.parseInt(field.substring(0, dash)), Integer.parseInt(field.substring(dash + 1))});
        }
        return ranges;
    }

    /** Runs a redis-cli command to its end, output to {@code log}; fails on a non-zero exit or after {@code timeout}. */
    private static void runTool(List<String> command, Duration timeout, Path log) {
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not end within " + timeout.toSeconds() + " s, see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + process.exitValue() + ", see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    /** Tunables; the defaults are what the cluster drills assume. */
    public static final class Options {
        private int nodeTimeoutMillis = 2000;
        private int minReplicasToWrite = 1;
        private int minReplicasMaxLag = 10;
        private int migrateTimeoutMillis = 5000;
        private int migratePauseMillis;
        private Duration startTimeout = Duration.ofSeconds(60);

        /** cluster-node-timeout: how long a master may be unreachable before its replica takes over (about 1 s more). */
        public Options nodeTimeoutMillis(int value) {
            nodeTimeoutMillis = value;
            return this;
        }

        /**
         * A pause after each MIGRATE batch of {@link #moveSlot} (0, redis-cli's pace, by default): on loopback
         * a slot of a hundred keys moves in tens of ms, too fast for a load to meet the slot split
         * between two nodes; a real cluster's move of a big slot takes seconds.
         */
        public Options migratePauseMillis(int value) {
            migratePauseMillis = value;
            return this;
        }

        public Options minReplicasToWrite(int value) {
            minReplicasToWrite = value;
            return this;
        }

        public Options startTimeout(Duration value) {
            startTimeout = value;
            return this;
        }

        public int nodeTimeoutMillis() {
            return nodeTimeoutMillis;
        }

        public int minReplicasToWrite() {
            return minReplicasToWrite;
        }

        public int minReplicasMaxLag() {
            return minReplicasMaxLag;
        }
    }
}

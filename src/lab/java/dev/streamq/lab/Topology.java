package dev.streamq.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A set of redis and sentinel processes in one of the shapes streamq is deployed in.
 *
 * <ul>
 *   <li>{@link Shape#SINGLE}: one redis, no sentinel (dev box, smoke tests).</li>
 *   <li>{@link Shape#MVP}: master + 1 replica + 1 sentinel, quorum 1. Cheap, but the single
 *       sentinel is a single point of failure for failover (TopologyTest shows it).</li>
 *   <li>{@link Shape#HA}: master + 2 replicas + 3 sentinels, quorum 2. Survives the loss of any one
 *       redis and any one sentinel.</li>
 * </ul>
 *
 * <p>In MVP/HA every redis node gets {@code min-replicas-to-write} (default 1) and
 * {@code min-replicas-max-lag} (default 10 s). It is set on replicas too, because any replica may
 * be promoted. Why: a master cut off from its replicas (partitioned, or a stale master that
 * restarted before Sentinel demoted it) then refuses writes with NOREPLICAS after at most
 * max-lag seconds, instead of acknowledging jobs that would vanish when Sentinel promotes a
 * replica on the majority side. The price: in MVP, after a failover the new master has no replica
 * until the old one rejoins, so writes fail (503 from the API) until then; set
 * {@link Options#minReplicasToWrite(int)} to 0 to trade that safety for availability.
 */
public final class Topology implements RedisDeployment {

    public enum Shape {
        SINGLE, MVP, HA;

        /** Case-insensitive parse of "single" / "mvp" / "ha". */
        public static Shape parse(String text) {
            return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * The outcome of {@link #awaitFailover}: who is master now, and the time from the call of
     * awaitFailover until the new master answered ROLE as master.
     */
    public record Failover(RedisNode newMaster, Duration took) {
        @Override
        public String toString() {
            return "failover to " + newMaster + " in " + took.toMillis() + " ms";
        }
    }

    private final Shape shape;
    private final Options options;
    private final List<RedisNode> nodes;
    private final List<SentinelNode> sentinels;

    private Topology(Shape shape, Options options, List<RedisNode> nodes, List<SentinelNode> sentinels) {
        this.shape = shape;
        this.options = options;
        this.nodes = List.copyOf(nodes);
        this.sentinels = List.copyOf(sentinels);
    }

    public static Topology start(Shape shape, Path workDir) {
        return start(shape, workDir, new Options());
    }

    /**
     * Starts the shape under {@code workDir} and returns once it is steady: replicas linked to
     * the master, every sentinel knowing every replica and every other sentinel. On failure all
     * processes started so far are killed.
     */
    public static Topology start(Shape shape, Path workDir, Options options) {
        int replicaCount = shape == Shape.SINGLE ? 0 : shape == Shape.MVP ? 1 : 2;
        int sentinelCount = shape == Shape.SINGLE ? 0 : shape == Shape.MVP ? 1 : 3;
        int quorum = shape == Shape.HA ? 2 : 1;
        int minReplicas = shape == Shape.SINGLE ? 0 : options.minReplicasToWrite;

        List<RedisNode> nodes = new ArrayList<>();
        List<SentinelNode> sentinels = new ArrayList<>();
        Topology topology = new Topology(shape, options, nodes, sentinels);
        try {
            RedisNode master = RedisNode.builder(workDir.resolve("redis-0")).name("redis-0")
                    .minReplicas(minReplicas, options.minReplicasMaxLag).start();
            nodes.add(master);
            for (int i = 1; i <= replicaCount; i++) {
                RedisNode.Builder replica = RedisNode.builder(workDir.resolve("redis-" + i)).name("redis-" + i)
                        .replicaOf(master.port()).minReplicas(minReplicas, options.minReplicasMaxLag);
                if (i == 1 && options.preferFirstReplica) {
                    replica.setting("replica-priority", String.valueOf(PREFERRED_PRIORITY));
                }
                nodes.add(replica.start());
            }
            // Replicas must be linked before sentinels start: a sentinel learns replicas from the
            // master's INFO, which it then refreshes only every 10 s.
            for (RedisNode replica : nodes.subList(1, nodes.size())) {
                Await.condition(replica + " link to master up", options.startTimeout, Duration.ofMillis(100),
                        replica::isReplicaLinkUp);
            }
            for (int i = 0; i < sentinelCount; i++) {
                sentinels.add(SentinelNode.builder(workDir.resolve("sentinel-" + i), master.port())
                        .name("sentinel-" + i).quorum(quorum)
                        .downAfterMillis(options.downAfterMillis)
                        .failoverTimeoutMillis(options.failoverTimeoutMillis).start());
            }
            for (SentinelNode sentinel : sentinels) {
                Await.condition(sentinel + " to see " + replicaCount + " replicas and " + (sentinelCount - 1)
                        + " other sentinels", options.startTimeout, Duration.ofMillis(200),
                        () -> sentinel.replicas().size() == replicaCount
                                && sentinel.otherSentinels().size() == sentinelCount - 1);
            }
            // Rebuild with the final lists (the constructor copied empty ones).
            return new Topology(shape, options, nodes, sentinels);
        } catch (RuntimeException e) {
            topology.closeAll(nodes, sentinels);
            throw e;
        }
    }

    public Shape shape() {
        return shape;
    }

    public Options options() {
        return options;
    }

    /** All redis nodes, in start order (index 0 was the first master). */
    public List<RedisNode> nodes() {
        return nodes;
    }

    public List<SentinelNode> sentinels() {
        return sentinels;
    }

    /** The node listening on {@code port}. */
    public RedisNode node(int port) {
        for (RedisNode node : nodes) {
            if (node.port() == port) {
                return node;
            }
        }
        throw new IllegalArgumentException("no redis node of this topology on port " + port);
    }

    /**
     * The master as the first live sentinel that answers reports it; for SINGLE the one node.
     * Sentinels, not ROLE, decide: they are what clients ask, so this is what the app will see.
     */
    public RedisNode currentMaster() {
        if (sentinels.isEmpty()) {
            return nodes.get(0);
        }
        RuntimeException last = null;
        for (SentinelNode sentinel : sentinels) {
            if (!sentinel.isAlive()) {
                continue;
            }
            try {
                Integer port = sentinel.masterPort();
                if (port != null) {
                    return node(port);
                }
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no live sentinel could name the master", last);
    }

    /** The nodes that are not {@link #currentMaster()}. */
    public List<RedisNode> replicas() {
        RedisNode master = currentMaster();
        return nodes.stream().filter(n -> n != master).collect(Collectors.toList());
    }

    /**
     * Waits until a live sentinel names a master other than {@code oldMasterPort} and that node
     * answers ROLE as master. Call it right after killing/partitioning the old master: the
     * returned duration counts from this call.
     */
    public Failover awaitFailover(int oldMasterPort, Duration timeout) {
        if (sentinels.isEmpty()) {
            throw new IllegalStateException(shape + " has no sentinel, so no failover can happen");
        }
        long start = System.nanoTime();
        RedisNode promoted = Await.until("a sentinel to promote a replica of 127.0.0.1:" + oldMasterPort, timeout,
                Duration.ofMillis(100), () -> {
                    for (SentinelNode sentinel : sentinels) {
                        if (!sentinel.isAlive()) {
                            continue;
                        }
                        try {
                            Integer port = sentinel.masterPort();
                            if (port != null && port != oldMasterPort) {
                                RedisNode candidate = node(port);
                                if ("master".equals(candidate.role())) {
                                    return candidate;
                                }
                            }
                        } catch (RuntimeException e) {
                            // A sentinel or the candidate not answering yet is part of a failover.
                        }
                    }
                    return null;
                });
        return new Failover(promoted, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Waits until {@code node} is a replica with its link to the master up (e.g. an old master after restart). */
    public void awaitReplica(RedisNode node, Duration timeout) {
        Await.condition(node + " to rejoin as a linked replica", timeout, Duration.ofMillis(200), node::isReplicaLinkUp);
    }

    /**
     * Waits until every live node but the current master is a linked replica: the topology has
     * settled after a failover. Not "this node is a replica again": with a short down-after,
     * Sentinel sometimes fails over twice and may make the restarted old master master again.
     */
    public void awaitSettled(Duration timeout) {
        Await.condition("every live node but the master to be a linked replica", timeout, Duration.ofMillis(200), () -> {
            try {
                RedisNode master = currentMaster();
                return master.isAlive() && nodes.stream().filter(n -> n != master && n.isAlive())
                        .allMatch(RedisNode::isReplicaLinkUp);
            } catch (RuntimeException e) {
                return false; // a sentinel or node between states: ask again
            }
        });
    }

    /** The exact value for QUARKUS_REDIS_HOSTS: sentinel URIs for MVP/HA, the one redis URI for SINGLE. */
    public String redisHosts() {
        if (sentinels.isEmpty()) {
            return nodes.get(0).uri();
        }
        return sentinels.stream().map(SentinelNode::uri).collect(Collectors.joining(","));
    }

    /** The value for QUARKUS_REDIS_CLIENT_TYPE. */
    public String clientType() {
        return sentinels.isEmpty() ? "standalone" : "sentinel";
    }

    public String masterName() {
        return SentinelNode.DEFAULT_MASTER_NAME;
    }

    /** The masters' min-replicas-to-write on this topology (0 for SINGLE). */
    public int minReplicas() {
        return shape == Shape.SINGLE ? 0 : options.minReplicasToWrite;
    }

    /**
     * Env for a service process pointing at this topology. No durability key: the services run
     * with the shipped default (behind Sentinel, every replica holds a job before its 2xx).
     */
    @Override
    public Map<String, String> serviceEnv() {
        return Map.of(
                "QUARKUS_REDIS_HOSTS", redisHosts(),
                "QUARKUS_REDIS_CLIENT_TYPE", clientType(),
                "QUARKUS_REDIS_MASTER_NAME", masterName());
    }

    /** Kills every process of this topology by PID: sentinels first so no failover starts mid-teardown. */
    @Override
    public void close() {
        closeAll(nodes, sentinels);
    }

    private void closeAll(List<RedisNode> redisNodes, List<SentinelNode> sentinelNodes) {
        for (SentinelNode sentinel : sentinelNodes) {
            sentinel.close();
        }
        for (RedisNode node : redisNodes) {
            node.close();
        }
    }

    @Override
    public String toString() {
        return shape + " redis=" + nodes + " sentinels=" + sentinels;
    }

    /** replica-priority of a preferred replica; Redis' default is 100 and lower wins a failover. */
    static final int PREFERRED_PRIORITY = 10;

    /** Tunables; the defaults are what the brief and the drills assume. */
    public static final class Options {
        private boolean preferFirstReplica;
        private int minReplicasToWrite = 1;
        private int minReplicasMaxLag = 10;
        private int downAfterMillis = 1000;
        private int failoverTimeoutMillis = 5000;
        private Duration startTimeout = Duration.ofSeconds(30);

        public Options minReplicasToWrite(int value) {
            minReplicasToWrite = value;
            return this;
        }

        public Options minReplicasMaxLag(int seconds) {
            minReplicasMaxLag = seconds;
            return this;
        }

        public Options downAfterMillis(int value) {
            downAfterMillis = value;
            return this;
        }

        public Options failoverTimeoutMillis(int value) {
            failoverTimeoutMillis = value;
            return this;
        }

        /**
         * Gives redis-1 a lower replica-priority than the others, so Sentinel promotes it in a
         * failover whatever the replication offsets it sampled (sentinelSelectSlave sorts by
         * priority first).
         */
        public Options preferFirstReplica() {
            preferFirstReplica = true;
            return this;
        }

        public Options startTimeout(Duration value) {
            startTimeout = value;
            return this;
        }

        public int minReplicasToWrite() {
            return minReplicasToWrite;
        }

        public int minReplicasMaxLag() {
            return minReplicasMaxLag;
        }

        public int downAfterMillis() {
            return downAfterMillis;
        }

        public int failoverTimeoutMillis() {
            return failoverTimeoutMillis;
        }

        public Duration startTimeout() {
            return startTimeout;
        }
    }
}

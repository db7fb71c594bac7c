package dev.streamq.lab.drill;

import dev.streamq.lab.Topology;
import java.util.ArrayList;
import java.util.List;

/** The drills; their ids are what {@code lab drill NAME} takes. */
public enum Scenario {
    MASTER_KILL("master-kill", Topology.Shape.HA, "kill -9 the redis master; restart it after failover so it rejoins as replica"),
    WORKER_KILL("worker-kill", Topology.Shape.HA, "kill -9 a worker running 500 ms sleep jobs; restart it after 1 s; its pending jobs are reclaimed"),
    API_KILL("api-kill", Topology.Shape.HA, "kill -9 the API process; restart it; clients retry with the same Idempotency-Key"),
    SENTINEL_KILL("sentinel-kill", Topology.Shape.HA, "kill 1 of 3 sentinels, then the master: the 2 left (quorum 2) fail over"),
    MVP_MASTER_KILL("mvp-master-kill", Topology.Shape.MVP, "MVP (1 replica, 1 sentinel): kill -9 the master; restart it after failover"),
    PARTITION("partition", Topology.Shape.HA, "isolate the master from everyone (iptables DROP) until failover, then heal"),
    LATENCY("latency", Topology.Shape.SINGLE, "add 200 ms per round trip (TcpProxy, 100 ms each way) in front of redis, then remove it"),
    LAGGING_REPLICA("lagging-replica", Topology.Shape.HA, "prefer redis-1 (replica-priority), hold back its replication stream"
            + " (TcpProxy), kill -9 the master while it lags: Sentinel promotes the laggard"),
    CLUSTER_MASTER_KILL("cluster-master-kill", null, "Redis Cluster, 12 queues over 3 shards: kill -9 one shard's master;"
            + " its replica is promoted, the old master restarted; the other shards' queues must not stall"),
    CLUSTER_RESHARDING("cluster-resharding", null, "Redis Cluster, 12 queues over 3 shards: move the slot of a busy queue"
            + " to another master (SETSLOT IMPORTING/MIGRATING, MIGRATE) under load; nothing lost, no queue stuck");

    private final String id;
    private final Topology.Shape shape;
    private final String description;

    Scenario(String id, Topology.Shape shape, String description) {
        this.id = id;
        this.shape = shape;
        this.description = description;
    }

    public String id() {
        return id;
    }

    /** The Sentinel shape it runs on; null for a cluster drill ({@link #cluster()}). */
    public Topology.Shape shape() {
        return shape;
    }

    /** Whether it runs on a {@link dev.streamq.lab.RedisCluster} rather than a Sentinel topology. */
    public boolean cluster() {
        return shape == null;
    }

    /** The topology's name in reports: SINGLE, MVP, HA or CLUSTER. */
    public String topologyName() {
        return cluster() ? "CLUSTER" : shape.name();
    }

    public String description() {
        return description;
    }

    public static Scenario parse(String name) {
        for (Scenario s : values()) {
            if (s.id.equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown drill '" + name + "'; one of " + names());
    }

    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Scenario s : values()) {
            names.add(s.id);
        }
        return names;
    }
}

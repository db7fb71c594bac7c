package dev.streamq.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis Cluster the cluster drills run on, against real {@code redis-server
 * --cluster-enabled yes} processes: its shape, a master's failover and rejoin, and a slot move
 * that takes a queue's keys along.
 */
class RedisClusterTest {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keep the nodes' logs of a failed run
    Path workDir;

    @Test
    @Timeout(120)
    void threeShardsFailOverOneMasterAndMoveOneQueuesSlot() {
        try (RedisCluster cluster = RedisCluster.start(workDir)) {
            List<RedisCluster.Shard> shards = cluster.shards();
            assertEquals(3, shards.size(), "masters");
            assertEquals(RedisCluster.SLOTS, shards.stream().mapToInt(RedisCluster.Shard::slotCount).sum(), "slots covered");
            Set<RedisNode> seen = new HashSet<>();
            for (RedisCluster.Shard shard : shards) {
                assertEquals(1, shard.replicas().size(), shard.master() + " replicas");
                assertEquals("master", shard.master().role());
                assertEquals("slave", shard.replicas().get(0).role());
                seen.add(shard.master());
                seen.add(shard.replicas().get(0));
            }
            assertEquals(6, seen.size(), "every node is in exactly one shard");
            assertEquals("cluster", cluster.serviceEnv().get("QUARKUS_REDIS_CLIENT_TYPE"));
            assertEquals(6, cluster.serviceEnv().get("QUARKUS_REDIS_HOSTS").split(",").length, "every node is a seed");

            // Our slot function agrees with the server's, hash tags included.
            try (RespClient client = shards.get(0).master().client()) {
                for (String key : List.of("streamq:{orders}:ready", "streamq:{orders}:job:1", "plain", "{}empty-tag", "a{b}c{d}",
                        "streamq:ready-queues", "{x")) {
                    assertEquals(client.callLong("CLUSTER", "KEYSLOT", key), RedisCluster.slot(key), key);
                }
            }
            assertEquals(RedisCluster.slot("streamq:{orders}:ready"), RedisCluster.slot("streamq:{orders}:delayed"));

            List<String> queues = cluster.queuesOnEveryShard("work", 4);
            assertEquals(12, queues.size());
            Map<Integer, Long> perShard = queues.stream().collect(Collectors.groupingBy(
                    q -> cluster.shardOf(RedisCluster.slotOfQueue(q)).firstSlot(), Collectors.counting()));
            assertEquals(Set.of(4L), new HashSet<>(perShard.values()), "4 queues on each shard: " + perShard);
            assertEquals(3, perShard.size());

            // A write acknowledged by the replica survives the master's kill -9 and the promotion.
            RedisCluster.Shard victim = cluster.shardOf(RedisCluster.slotOfQueue(queues.get(0)));
            RedisNode oldMaster = victim.master();
            RedisNode replica = victim.replicas().get(0);
            String key = "streamq:{" + queues.get(0) + "}:ready";
            try (RespClient client = oldMaster.client()) {
                client.call("XADD", key, "*", "id", "job-1");
                assertEquals(1L, client.callLong("WAIT", "1", "5000"));
            }
            oldMaster.kill9();
            RedisCluster.Promotion promotion = cluster.awaitPromotion(oldMaster, RedisCluster.slotOfQueue(queues.get(0)),
                    Duration.ofSeconds(30));
            assertEquals(replica, promotion.newMaster(), "the shard's one replica is promoted");
            assertEquals("master", replica.role());
            // cluster-node-timeout 2000 ms: a failover takes more than the timeout, and not many times it
            assertTrue(promotion.took().toMillis() >= 1000 && promotion.took().toMillis() < 20_000, promotion::toString);
            try (RespClient client = replica.client()) {
                assertEquals(1L, client.callLong("XLEN", key));
            }
            oldMaster.restart();
            cluster.awaitRejoined(oldMaster, Duration.ofSeconds(30));
            assertEquals("slave", oldMaster.role(), "the killed master rejoins as a replica");
            assertEquals(String.valueOf(replica.port()), oldMaster.replicationInfo().get("master_port"));
            assertEquals(replica, cluster.shardOf(RedisCluster.slotOfQueue(queues.get(0))).master());

            // Moving the queue's one slot moves all its keys, and the cluster points clients at the new owner.
            String queue = queues.get(1);
            int slot = RedisCluster.slotOfQueue(queue);
            RedisCluster.Shard from = cluster.shardOf(slot);
            RedisNode to = cluster.shards().stream().map(RedisCluster.Shard::master).filter(m -> m != from.master())
                    .findFirst().orElseThrow();
            try (RespClient client = from.master().client()) {
                client.call("XADD", "streamq:{" + queue + "}:ready", "*", "id", "job-2");
                client.call("HSET", "streamq:{" + queue + "}:job:job-2", "state", "ready");
            }
            assertEquals(2, cluster.moveSlot(slot, to));
            assertEquals(to, cluster.shardOf(slot).master());
            try (RespClient client = to.client()) {
                assertEquals(1L, client.callLong("XLEN", "streamq:{" + queue + "}:ready"));
                assertEquals("ready", client.callString("HGET", "streamq:{" + queue + "}:job:job-2", "state"));
            }
            try (RespClient client = from.master().client()) {
                RespClient.RespError moved = assertThrows(RespClient.RespError.class,
                        () -> client.call("XLEN", "streamq:{" + queue + "}:ready"));
                assertEquals("MOVED", moved.code());
                assertTrue(moved.getMessage().endsWith(":" + to.port()), moved.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> cluster.moveSlot(slot, to), "a slot is not moved to its owner");
            // redis-cli's reshard moves whole slots too: 10 of them, the count on both sides changes by 10.
            int before = cluster.shardOf(slot).slotCount();
            RedisNode third = cluster.shards().stream().map(RedisCluster.Shard::master).filter(m -> m != to)
                    .findFirst().orElseThrow();
            int thirdBefore = cluster.shards().stream().filter(s -> s.master() == third).findFirst().orElseThrow().slotCount();
            cluster.reshard(third, to, 10);
            cluster.awaitHealthy(Duration.ofSeconds(30));
            assertEquals(before + 10, cluster.shardOf(slot).slotCount());
            assertEquals(thirdBefore - 10, cluster.shards().stream().filter(s -> s.master() == third).findFirst().orElseThrow()
                    .slotCount());

            List<RedisNode> nodes = cluster.nodes();
            cluster.close();
            assertFalse(nodes.stream().anyMatch(RedisNode::isAlive), "close() kills every node");
            assertNotEquals(0, nodes.size());
        }
    }
}

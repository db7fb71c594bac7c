package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.RedisCluster;
import dev.streamq.lab.RedisNode;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One shard's master is killed and its replica promoted: the master watch reports that shard's
 * failover (redis_failover, naming its slots and the new master) and its recovery, and the
 * shard's queue takes jobs again once the old master has rejoined as its replica.
 */
@QuarkusTest
// its own cluster (a failed-over shard would change ClusterTest's layout)
@WithTestResource(value = ClusterRedisResource.class, initArgs = @ResourceArg(name = "streamq.worker.concurrency", value = "8"))
class ClusterFailoverTest {

    private static final Duration DONE = Duration.ofSeconds(30);

    @Test
    void aShardsFailoverIsReportedAndItsQueueRecovers() {
        RedisCluster cluster = ClusterRedisResource.current;
        String queue = cluster.queuesOnEveryShard("failover", 1).get(0);
        int slot = RedisCluster.slotOfQueue(queue);
        RedisNode master = cluster.shardOf(slot).master();
        Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", DONE);
        try (CapturedEvents events = CapturedEvents.start()) {
            master.kill9();
            RedisNode promoted = cluster.awaitPromotion(master, slot, DONE).newMaster();
            master.restart();
            cluster.awaitRejoined(master, DONE);
            Await.condition("the master watch to report the failover", DONE, Duration.ofMillis(100),
                    () -> !events.lines("redis_failover").isEmpty() && !events.lines("redis_master_restored").isEmpty());
            List<Map<String, String>> failovers = events.lines("redis_failover");
            assertEquals(1, failovers.size(), "one failover, one shard: " + failovers);
            Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", DONE);
            assertTrue(promoted.port() != master.port());
        }
    }
}

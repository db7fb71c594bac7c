package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.RedisCluster;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * streamq on a Redis Cluster over TLS only (a managed service in cluster mode): the slot
 * routing opens every node's connection with the configured TLS and CA, so jobs of queues on
 * every shard run and readiness names every shard's master.
 */
@QuarkusTest
@WithTestResource(TlsClusterResource.class)
class TlsClusterTest {

    @Test
    void jobsOfEveryShardRunOverTls() {
        // one queue per slot third: the default layout of redis-cli --cluster create
        Set<Integer> thirds = new HashSet<>();
        for (int i = 0; thirds.size() < 3; i++) {
            String queue = "tls-" + i;
            if (thirds.add(RedisCluster.slotOfQueue(queue) * 3 / RedisCluster.SLOTS)) {
                Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(20));
            }
        }
        Map<String, String> data = given().when().get("/q/health/ready").then().statusCode(200)
                .extract().jsonPath().getMap("checks.find { it.name == 'redis-master' }.data");
        assertEquals(3, data.size(), data.toString());
        assertTrue(data.values().stream().allMatch(v -> v.startsWith("master 127.0.0.1:")), data.toString());
    }
}

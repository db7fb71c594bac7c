package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.RedisCluster;
import dev.streamq.lab.RedisNode;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One shard of a Redis Cluster goes down, first its replica (its master can no longer make a
 * write durable), then its master hangs (no replica left to promote): only that shard's queues answer
 * 503 + Retry-After; the queues of the other shards keep taking and running jobs, and the pod
 * stays ready, naming the shard that is down. The shard chosen is the one that holds the queue
 * registry, the one key that is not a queue's own.
 */
@QuarkusTest
// Its own arguments, so that Quarkus gives this class its own cluster (classes with equal test
// resources share one, and this one leaves a shard dead). Few slots: three lanes share six.
@WithTestResource(value = ClusterRedisResource.class, initArgs = @ResourceArg(name = "streamq.worker.concurrency", value = "6"))
class ClusterShardDownTest {

    private static final Duration DONE = Duration.ofSeconds(20);

    @Test
    void aShardThatIsDownRefusesOnlyItsOwnQueues() {
        RedisCluster cluster = ClusterRedisResource.current;
        RedisCluster.Shard failing = cluster.shardOf(RedisCluster.slot("streamq:queues"));
        List<String> queues = cluster.queuesOnEveryShard("iso", 1);
        String down = queues.stream().filter(q -> failing.owns(RedisCluster.slotOfQueue(q))).findFirst().orElseThrow();
        List<String> others = queues.stream().filter(q -> !q.equals(down)).toList();
        queues.forEach(q -> Jobs.awaitState(Jobs.submit(q, "{\"type\":\"noop\"}"), "succeeded", DONE));

        failing.replicas().forEach(RedisNode::kill9);
        assertRefused(down);
        others.forEach(q -> Jobs.awaitState(Jobs.submit(q, "{\"type\":\"noop\"}"), "succeeded", DONE));

        // hung rather than gone (sockets open, no replies): every call to it runs into its deadline
        try (StoppedRedis hung = StoppedRedis.stop(failing.master())) {
            assertRefused(down);
            for (String q : others) {
                Jobs.awaitState(Jobs.submit(q, "{\"type\":\"noop\"}"), "succeeded", DONE);
                // a retry goes through the delayed set: the promoter too serves the other shards
                JsonPath retried = Jobs.awaitState(Jobs.submit(q,
                        "{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":2}"), "succeeded", DONE);
                assertEquals(2, retried.getInt("attempts"));
            }
            Map<String, String> data = given().when().get("/q/health/ready").then().statusCode(200)
                    .extract().jsonPath().getMap("checks.find { it.name == 'redis-master' }.data");
            String slots = failing.slotRanges().stream().map(r -> r[0] + "-" + r[1]).reduce((a, b) -> a + "," + b).orElseThrow();
            assertTrue(String.valueOf(data.get("slots " + slots)).startsWith("down"), data.toString());
            assertEquals(2, data.values().stream().filter(v -> v.startsWith("master ")).count(), data.toString());
        }
    }

    private static void assertRefused(String queue) {
        ExtractableResponse<Response> refused = given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}")
                .when().post("/queues/" + queue + "/jobs").then().statusCode(503).extract();
        assertNotNull(refused.header("Retry-After"), "503 without Retry-After");
        assertEquals("application/problem+json", refused.contentType());
    }
}

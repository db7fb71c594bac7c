package dev.streamq.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.core.RedisServerResource;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Reading queues that never existed leaves nothing behind: no key, no registry entry, no
 * cached figures and no gauge series. Only queues that exist have state.
 */
@QuarkusTest
@WithTestResource(RedisServerResource.class)
class UnknownQueueReadsTest {

    @Inject
    QueueStats stats;

    private static RespClient redis() {
        return RespClient.connect(URI.create(ConfigProvider.getConfig().getValue("quarkus.redis.hosts", String.class)).getPort());
    }

    @Test
    void readsOfUnknownQueuesCreateNoSeriesNoCacheEntryAndNoKey() {
        given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/queues/known/jobs").then().statusCode(202);
        given().when().get("/queues/known").then().statusCode(200).body("queue", equalTo("known"));
        long keys;
        long queues;
        try (RespClient redis = redis()) {
            keys = redis.callLong("DBSIZE");
            queues = redis.callLong("SCARD", "streamq:queues");
        }

        for (int i = 0; i < 200; i++) {
            given().when().get("/queues/ghost-" + i).then().statusCode(404).contentType("application/problem+json")
                    .body("field", equalTo("queue"));
        }

        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(metrics.contains("queue=\"ghost-"), "no series for a queue that does not exist");
        assertTrue(metrics.contains("streamq_queue_jobs{queue=\"known\""), "the queue that exists has its gauges");
        assertEquals(1, stats.cachedQueues(), "cached figures: the one queue that exists");
        try (RespClient redis = redis()) {
            assertEquals(keys, redis.callLong("DBSIZE"));
            assertEquals(queues, redis.callLong("SCARD", "streamq:queues"));
        }
        given().when().get("/queues").then().statusCode(200).body("queue", hasItem("known"));
    }
}

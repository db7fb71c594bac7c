package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Many queues: one worker reads them all in one blocked connection (not one per queue), and a
 * deployment holds at most streamq.queues.max of them: a 409 problem past it, nothing written.
 */
@QuarkusTest
@TestProfile(ManyQueuesTest.Limits.class)
@WithTestResource(RedisServerResource.class)
class ManyQueuesTest {

    private static final int QUEUES = 300;

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamq.queues.max", Integer.toString(QUEUES + 1));
        }
    }

    private static RespClient redis() {
        return RedisServerResource.current.client();
    }

    @Test
    void oneBlockedReadServesAllQueuesAndTheCapRefusesOneMore() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < QUEUES; i++) {
            ids.add(Jobs.submit("many-" + i, "{\"type\":\"sleep\",\"payload\":{\"ms\":1}}"));
        }
        ids.forEach(id -> Jobs.awaitState(id, "succeeded", Duration.ofSeconds(30)));
        // every queue is consumed, yet one connection blocks (on the doorbell), not one per queue
        Await.condition("the worker to wait on one connection", Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
            try (RespClient redis = redis()) {
                return blockedReads(redis) == 1 && redis.callString("CLIENT", "LIST").contains("cmd=xread ");
            }
        });
        try (RespClient redis = redis()) {
            assertEquals(QUEUES, redis.callLong("SCARD", "streamq:queues"));
        }

        String id = Jobs.submit("one-more", "{\"type\":\"noop\"}");
        long keys;
        try (RespClient redis = redis()) {
            keys = redis.callLong("DBSIZE");
        }
        given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/queues/over-the-cap/jobs")
                .then().statusCode(409).contentType("application/problem+json").body("field", equalTo("queue"));
        try (RespClient redis = redis()) {
            assertEquals(keys, redis.callLong("DBSIZE"), "nothing written for a refused queue");
            assertEquals(0, redis.callLong("SISMEMBER", "streamq:queues", "over-the-cap"));
        }
        Jobs.awaitState(Jobs.submit("one-more", "{\"type\":\"noop\"}"), "succeeded", Duration.ofSeconds(15));
        Jobs.awaitState(id, "succeeded", Duration.ofSeconds(15));

        try (RespClient redis = redis()) {
            assertTrue(blockedReads(redis) <= 1, "still one blocked read");
        }
    }

    private static long blockedReads(RespClient redis) {
        return Long.parseLong(redis.info("clients").get("blocked_clients"));
    }
}

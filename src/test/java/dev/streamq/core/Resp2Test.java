package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Broker reads plain replies itself (HGETALL, SMEMBERS, XREADGROUP, XRANGE, XREVRANGE), and
 * Redis shapes them differently in RESP2 (flat arrays) than in RESP3 (maps), which the other
 * tests negotiate. A client pinned to RESP2 must see the same jobs, queues and dead letters.
 */
@QuarkusTest
@WithTestResource(value = RedisServerResource.class,
        initArgs = @ResourceArg(name = "quarkus.redis.preferred-protocol-version", value = "resp2"))
class Resp2Test {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String FAIL_ONCE = "{\"type\":\"fail\",\"maxAttempts\":1}";

    @Test
    void jobsQueuesAndDeadLettersReadTheSameOverResp2() {
        String ok = Jobs.submit("resp2", "{\"type\":\"noop\",\"payload\":{\"n\":1}}");
        JsonPath done = Jobs.awaitState(ok, "succeeded", WAIT);
        assertEquals(1, done.getInt("attempts"));
        assertEquals("noop", done.getString("type"));

        List<String> dead = List.of(Jobs.submit("resp2", FAIL_ONCE), Jobs.submit("resp2", FAIL_ONCE),
                Jobs.submit("resp2", FAIL_ONCE));
        dead.forEach(id -> Jobs.awaitState(id, "dead", WAIT));
        JsonPath first = given().when().get("/queues/resp2/dead?limit=2").then().statusCode(200).extract().jsonPath();
        String next = first.getString("next");
        assertNotNull(next, "a second page exists");
        JsonPath second = given().when().get("/queues/resp2/dead?limit=2&after=" + next).then().statusCode(200)
                .extract().jsonPath();
        assertNull(second.getString("next"), "the last page has no next cursor");
        List<String> paged = new ArrayList<>(first.getList("items.jobId", String.class));
        paged.addAll(second.getList("items.jobId", String.class));
        assertEquals(dead.stream().sorted().toList(), paged.stream().sorted().toList(), "every dead job, once");
        assertEquals("max_attempts", first.getString("items[0].reason"));

        given().when().get("/queues").then().statusCode(200).body("queue", hasItem("resp2"));
        given().when().get("/jobs/resp2~0190f0f0-0000-7000-8000-000000000000").then().statusCode(404);

        try (var redis = RedisServerResource.current.client()) {
            String clients = redis.callString("CLIENT", "LIST");
            assertTrue(clients.contains("resp=2"), clients);
            assertFalse(clients.contains("resp=3"), "the service negotiated RESP3 after all: " + clients);
        }
    }
}

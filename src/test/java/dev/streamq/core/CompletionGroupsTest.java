package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.RespClient;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Completion;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.Outcome;
import dev.streamq.queue.QueueName;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker records the successes that finish while a queue's last group is being recorded
 * as one complete.lua call (JobRunner, GroupedCalls), and each job of a group keeps its own
 * outcome. A real worker and a real Redis: XDEL is counted, because complete.lua is the one
 * script that deletes a live job's entry (start.lua deletes only stale ones, which these are not).
 */
@QuarkusTest
@WithTestResource(value = RedisServerResource.class, initArgs = @ResourceArg(name = "streamq.worker.concurrency", value = "20"))
class CompletionGroupsTest {

    @Inject
    Broker broker;

    private static long xdelCalls() {
        try (RespClient redis = RedisServerResource.current.client()) {
            String stat = redis.info("commandstats").get("cmdstat_xdel");
            return stat == null ? 0 : Long.parseLong(stat.replaceAll("^calls=(\\d+),.*$", "$1"));
        }
    }

    @Test
    void successesThatFinishTogetherShareOneScriptCallAndEachIsRecorded() {
        int jobs = 300;
        StringBuilder batch = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < jobs; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"sleep\",\"payload\":{\"ms\":20,\"n\":").append(i).append("}}");
        }
        long before = xdelCalls();
        List<String> ids = RestAssured.given().contentType(ContentType.JSON).body(batch.append("]}").toString())
                .post("/queues/grouped-successes/jobs/batch").then().statusCode(202).extract().jsonPath().getList("jobs.id");
        assertEquals(jobs, ids.size());
        for (String id : ids) {
            JsonPath job = Jobs.awaitState(id, "succeeded", Duration.ofSeconds(60));
            assertEquals(20, job.getInt("result.slept_ms"), id);
            assertEquals(1, job.getInt("attempts"), id);
        }
        long groups = xdelCalls() - before;
        System.out.println("[CompletionGroupsTest] " + jobs + " successes took " + groups + " complete calls");
        assertTrue(groups > 0 && groups < jobs / 2, jobs + " successes took " + groups + " complete calls: they were not grouped");
    }

    @Test
    void eachCompletionOfAGroupGetsItsOwnOutcome() {
        QueueName queue = new QueueName("own-outcomes");
        try (RespClient redis = RedisServerResource.current.client()) {
            redis.call("HSET", queue.job("running"), "state", "running", "entry", "1-1");
            redis.call("HSET", queue.job("done"), "state", "succeeded", "result", "{\"first\":true}");
        }
        List<Outcome> outcomes = broker.complete(List.of(
                new Completion(new Delivery(queue, "1-1", "running"), "{\"v\":1}"),
                new Completion(new Delivery(queue, "1-2", "done"), "{\"second\":true}"),
                new Completion(new Delivery(queue, "1-3", "expired"), null)))
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(List.of(Outcome.OK, Outcome.DUPLICATE, Outcome.GONE), outcomes);
        try (RespClient redis = RedisServerResource.current.client()) {
            assertEquals("succeeded", redis.callString("HGET", queue.job("running"), "state"));
            assertEquals("{\"v\":1}", redis.callString("HGET", queue.job("running"), "result"));
            assertTrue(redis.callLong("TTL", queue.job("running")) > 0, "a finished job expires");
            assertEquals("{\"first\":true}", redis.callString("HGET", queue.job("done"), "result"), "a duplicate changes nothing");
            assertEquals(-1, redis.callLong("TTL", queue.job("done")));
            assertEquals(0, redis.callLong("EXISTS", queue.job("expired")), "a gone job is not recreated");
        }
    }
}

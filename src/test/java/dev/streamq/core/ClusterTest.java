package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.RedisCluster;
import dev.streamq.lab.RespClient;
import dev.streamq.queue.Broker;
import dev.streamq.queue.Delivery;
import dev.streamq.queue.QueueName;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * streamq on a real Redis Cluster (3 masters, 3 replicas), configured with the standard Quarkus
 * keys only. Every transition's script runs on queues of every shard: a CROSSSLOT, or any
 * other Redis error, would leave a job short of its state, and every log line of the run is
 * checked for it too.
 */
@QuarkusTest
// Idle queues are forgotten after 3 s here, so forget.lua runs too.
@WithTestResource(value = ClusterRedisResource.class, initArgs = {
        @ResourceArg(name = "streamq.queues.forget-after", value = "3s"),
        @ResourceArg(name = "streamq.queues.prune-interval", value = "1s")})
class ClusterTest {

    private static final Duration DONE = Duration.ofSeconds(20);

    @Inject
    Broker broker;

    /** Two queues on each shard. */
    private static List<String> queues(String prefix) {
        return ClusterRedisResource.current.queuesOnEveryShard(prefix, 2);
    }

    @Test
    void everyTransitionRunsOnQueuesOfEveryShard() {
        try (CapturedEvents events = CapturedEvents.start()) {
            for (String queue : queues("life")) {
                // enqueue + start + complete
                Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", DONE);
                // a batch: one script call for its jobs, all in the queue's slot
                List<String> batch = given().contentType(ContentType.JSON)
                        .body("{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\"},{\"type\":\"noop\"}]}")
                        .when().post("/queues/" + queue + "/jobs/batch").then().statusCode(202).extract().path("jobs.id");
                batch.forEach(id -> Jobs.awaitState(id, "succeeded", DONE));
                // idempotency: the key lives in the queue's slot, the replay finds the job
                String first = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-" + queue)
                        .body("{\"type\":\"noop\"}").when().post("/queues/" + queue + "/jobs")
                        .then().statusCode(202).extract().path("id");
                String replay = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-" + queue)
                        .body("{\"type\":\"noop\"}").when().post("/queues/" + queue + "/jobs")
                        .then().statusCode(200).extract().path("id");
                assertEquals(first, replay);
                // fail + retry through the delayed set + promote
                JsonPath retried = Jobs.awaitState(Jobs.submit(queue,
                        "{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":3}"), "succeeded", DONE);
                assertEquals(2, retried.getInt("attempts"));
                // scheduled: promote
                Instant runAt = Instant.now().plusMillis(500);
                Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\",\"runAt\":\"" + runAt + "\"}"), "succeeded", DONE);
                // dead letter, then redrive
                String dying = Jobs.submit(queue, "{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":1}");
                Jobs.awaitState(dying, "dead", DONE);
                given().when().post("/jobs/" + dying + "/redrive").then().statusCode(200);
                // the redriven job runs again and, failing its one attempt again, dies a second time
                Await.condition("the redriven job to die again", DONE, Duration.ofMillis(50),
                        () -> events.lines("job_dead_lettered", queue, dying).size() == 2);
                // stats
                given().when().get("/queues/" + queue).then().statusCode(200);
            }
            // a refused command (CROSSSLOT, MOVED not followed...) is a redis_error line, whoever sent it;
            // the one expected kind is NOGROUP on a queue of another test forgotten while idle (3 s here)
            List<String> mine = queues("life");
            List<Map<String, String>> errors = events.lines("redis_error").stream()
                    .filter(e -> !String.valueOf(e.get("error")).startsWith("NOGROUP")
                            || mine.stream().anyMatch(q -> String.valueOf(e.get("error")).contains("{" + q + "}")))
                    .toList();
            assertEquals(List.of(), errors, "no Redis error in a run on a healthy cluster");
        }
    }

    @Test
    void aJobAWorkerAbandonedIsReclaimedOnEveryShard() {
        RedisCluster cluster = ClusterRedisResource.current;
        for (String queue : queues("orphans")) {
            String id;
            try (RespClient master = cluster.shardOf(RedisCluster.slotOfQueue(queue)).master().client()) {
                id = AbandonedJob.leaveInSlot(master, queue, 1);
            }
            try (RespClient registry = cluster.shardOf(RedisCluster.slot("streamq:queues")).master().client()) {
                registry.call("SADD", "streamq:queues", queue);
            }
            JsonPath job = Jobs.awaitState(id, "succeeded", DONE);
            assertEquals(2, job.getInt("attempts"), "the abandoned attempt and the reclaimed one");
        }
    }

    @Test
    void aRunningJobHandedBackAtShutdownRunsAgainOnEveryShard() {
        RedisCluster cluster = ClusterRedisResource.current;
        for (String queue : queues("handback")) {
            String id = Jobs.submit(queue, "{\"type\":\"sleep\",\"payload\":{\"ms\":1500}}");
            Jobs.awaitState(id, "running", DONE);
            String entry;
            try (RespClient master = cluster.shardOf(RedisCluster.slotOfQueue(queue)).master().client()) {
                entry = master.callString("HGET", "streamq:{" + queue + "}:job:" + id, "entry");
            }
            // what a worker that shuts down mid-job does (release.lua): the job goes back, its attempt uncounted
            assertTrue(broker.release(new Delivery(new QueueName(queue), entry, id)).await().atMost(DONE));
            JsonPath job = Jobs.awaitState(id, "succeeded", DONE);
            assertEquals(1, job.getInt("attempts"), "the handed-back attempt does not count");
        }
    }

    /**
     * A queue's slot migrates to another master: while the slot is open the old owner answers
     * ASK for the keys already gone (every key of the queue here) and the lanes' reads follow it;
     * a submit, a script over keys not written yet, gets TRYAGAIN from Redis until the slot is
     * closed (Redis cannot run a multi-key command on a half-moved slot) and is retried within
     * the API's budget; then the old owner answers MOVED until the slot map is read again. Not
     * one redirect reaches the service, and every job runs on the new owner.
     */
    @Test
    void aQueueWhoseSlotMigratesKeepsWorkingThroughAskAndMoved() throws Exception {
        RedisCluster cluster = ClusterRedisResource.current;
        String queue = queues("migrating").get(0);
        int slot = RedisCluster.slotOfQueue(queue);
        RedisCluster.Shard source = cluster.shardOf(slot);
        RedisCluster.Shard target = cluster.shards().stream().filter(s -> s.master() != source.master()).findFirst().orElseThrow();
        Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", DONE);
        try (CapturedEvents events = CapturedEvents.start();
                RespClient from = source.master().client(); RespClient to = target.master().client()) {
            String s = Integer.toString(slot);
            long askingBefore = commandCalls(to, "asking");
            to.call("CLUSTER", "SETSLOT", s, "IMPORTING", source.masterId());
            from.call("CLUSTER", "SETSLOT", s, "MIGRATING", target.masterId());
            List<Object> keys = from.callList("CLUSTER", "GETKEYSINSLOT", s, "1000");
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(target.master().port()), "",
                    "0", "5000", "KEYS"));
            keys.forEach(k -> migrate.add(String.valueOf(k)));
            from.call(migrate.toArray(String[]::new));
            Await.condition("a read of the queue to follow ASK to the new owner", DONE, Duration.ofMillis(50),
                    () -> commandCalls(to, "asking") > askingBefore);

            CompletableFuture<String> submitted = CompletableFuture.supplyAsync(() -> Jobs.submit(queue, "{\"type\":\"noop\"}"));
            Jobs.sleep(300);
            for (RedisCluster.Shard shard : cluster.shards()) {
                try (RespClient master = shard.master().client()) {
                    master.call("CLUSTER", "SETSLOT", s, "NODE", target.masterId());
                }
            }
            Jobs.awaitState(submitted.get(10, TimeUnit.SECONDS), "succeeded", DONE);
            Jobs.awaitState(Jobs.submit(queue, "{\"type\":\"noop\"}"), "succeeded", DONE);
            List<Map<String, String>> redirects = events.lines("redis_error").stream()
                    .filter(e -> String.valueOf(e.get("error")).matches("(?s).*\\b(MOVED|ASK) .*")).toList();
            assertEquals(List.of(), redirects, "a redirect reached the service");
        }
    }

    private static long commandCalls(RespClient redis, String command) {
        String stats = redis.callString("INFO", "commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    @Test
    void anIdleQueueIsForgottenOnEveryShard() {
        List<String> queues = queues("idle");
        queues.forEach(q -> Jobs.awaitState(Jobs.submit(q, "{\"type\":\"noop\"}"), "succeeded", DONE));
        Await.condition("idle queues of every shard to leave the registry", DONE, Duration.ofMillis(200), () -> {
            List<String> listed = given().when().get("/queues").then().statusCode(200).extract().path("queue");
            return queues.stream().noneMatch(listed::contains);
        });
    }

    @Test
    void theQueueListHoldsTheQueuesOfEveryShard() {
        List<String> queues = queues("listed");
        queues.forEach(q -> Jobs.submit(q, "{\"type\":\"noop\"}"));
        List<String> listed = given().when().get("/queues").then().statusCode(200).extract().path("queue");
        assertTrue(listed.containsAll(queues), listed + " lacks some of " + queues);
    }

    @Test
    void readinessNamesEveryShardsMaster() {
        Map<String, String> data = given().when().get("/q/health/ready").then().statusCode(200)
                .extract().jsonPath().getMap("checks.find { it.name == 'redis-master' }.data");
        Set<String> masters = new TreeSet<>();
        ClusterRedisResource.current.shards().forEach(s -> masters.add("master 127.0.0.1:" + s.master().port()));
        assertEquals(3, data.size(), "one entry per shard: " + data);
        assertEquals(masters, new TreeSet<>(data.values()));
    }

    @Test
    void aQueueNameThatWouldCarryItsOwnHashTagIsRefused() {
        // "{" and "}" would let a name pick its slot or split a queue over slots: refused, naming the field
        for (String name : List.of("a{b}c", "{q}", "q}")) {
            // sent encoded, as an HTTP client would (RestAssured reads braces as its own path parameters)
            String detail = given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("{\"type\":\"noop\"}")
                    .when().post("/queues/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/jobs")
                    .then().statusCode(400).contentType("application/problem+json").extract().path("detail");
            assertTrue(detail.contains("queue"), detail);
        }
        List<String> listed = given().when().get("/queues").then().extract().path("queue");
        assertFalse(listed.stream().anyMatch(q -> q.contains("{") || q.contains("}")), listed.toString());
    }

    @Test
    void jobsOfEveryShardRunWhileSubmittedTogether() {
        List<String> queues = queues("spread");
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            for (String q : queues) {
                ids.add(Jobs.submit(q, "{\"type\":\"noop\"}"));
            }
        }
        Await.condition("every job of every shard to succeed", DONE, Duration.ofMillis(100),
                () -> ids.stream().allMatch(id -> "succeeded".equals(Jobs.get(id).getString("state"))));
    }
}

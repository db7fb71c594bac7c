package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Group commit (GroupCommit) under real concurrency against a real Redis, API role only, so
 * every script call Redis counts is an enqueue: concurrent single submits share script calls,
 * and each keeps its own id, its own replay and its own error.
 */
@QuarkusTest
@WithTestResource(value = RedisServerResource.class, initArgs = @ResourceArg(name = "streamq.role", value = "api"))
class GroupCommitTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(16))
            .connectTimeout(Duration.ofSeconds(5)).build();

    private record Answer(int status, JsonNode body, String replayed) {}

    private static CompletableFuture<Answer> submit(String queue, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/queues/" + queue + "/jobs"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            try {
                return new Answer(r.statusCode(), JSON.readTree(r.body()), r.headers().firstValue("Idempotent-Replayed").orElse(null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static List<Answer> all(List<CompletableFuture<Answer>> futures) {
        return futures.stream().map(CompletableFuture::join).toList();
    }

    /** Script calls Redis has run (EVALSHA + EVAL): with the API role alone, one per enqueue call. */
    private static long scriptCalls() {
        Map<String, String> stats = RedisServerResource.current.client().info("commandstats");
        return calls(stats.get("cmdstat_evalsha")) + calls(stats.get("cmdstat_eval"));
    }

    private static long calls(String stat) {
        return stat == null ? 0 : Long.parseLong(stat.replaceAll("^calls=(\\d+),.*$", "$1"));
    }

    @Test
    void concurrentSingleSubmitsShareScriptCallsAndEachKeepsItsOwnJob() {
        int requests = 200;
        long before = scriptCalls();
        List<CompletableFuture<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            futures.add(submit("grouped", "g-" + i, "{\"type\":\"noop\",\"payload\":{\"n\":" + i + "}}"));
        }
        List<Answer> answers = all(futures);
        long scripts = scriptCalls() - before;
        Set<String> ids = new HashSet<>();
        for (Answer a : answers) {
            assertEquals(202, a.status(), a.body().toString());
            ids.add(a.body().path("id").asText());
        }
        assertEquals(requests, ids.size(), "every request got a job of its own");
        System.out.println("[GroupCommitTest] " + requests + " concurrent single submits took " + scripts + " script calls");
        assertTrue(scripts < requests, requests + " submits took " + scripts + " script calls: nothing was grouped");
        // each key names its own job, with its own payload
        for (int i = 0; i < requests; i += 37) {
            Answer again = submit("grouped", "g-" + i, "{\"type\":\"noop\",\"payload\":{\"n\":" + i + "}}").join();
            assertEquals(200, again.status());
            assertEquals(answers.get(i).body().path("id").asText(), again.body().path("id").asText(), "key g-" + i);
            assertEquals(i, Jobs.get(again.body().path("id").asText()).getInt("payload.n"));
        }
    }

    @Test
    void aReusedKeyFailsAloneAndTheRestOfItsGroupIsWritten() {
        assertEquals(202, submit("conflicts", "taken", "{\"type\":\"noop\",\"payload\":{\"v\":1}}").join().status());
        List<CompletableFuture<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            futures.add(i == 30
                    ? submit("conflicts", "taken", "{\"type\":\"noop\",\"payload\":{\"v\":2}}")
                    : submit("conflicts", "fresh-" + i, "{\"type\":\"noop\"}"));
        }
        List<Answer> answers = all(futures);
        for (int i = 0; i < answers.size(); i++) {
            Answer a = answers.get(i);
            if (i == 30) {
                assertEquals(422, a.status(), a.body().toString());
                assertEquals("Idempotency-Key", a.body().path("field").asText());
            } else {
                assertEquals(202, a.status(), "request " + i + ": " + a.body());
                assertEquals("queued", Jobs.get(a.body().path("id").asText()).getString("state"));
            }
        }
    }

    @Test
    void oneKeySentConcurrentlyMakesOneJobAndReplaysTheRest() {
        List<CompletableFuture<Answer>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            futures.add(submit("same-key", "once", "{\"type\":\"noop\"}"));
        }
        List<Answer> answers = all(futures);
        Set<String> ids = new HashSet<>();
        int created = 0;
        for (Answer a : answers) {
            ids.add(a.body().path("id").asText());
            if (a.status() == 202) {
                created++;
            } else {
                assertEquals(200, a.status(), a.body().toString());
                assertEquals("true", a.replayed());
            }
        }
        assertEquals(1, ids.size(), "one key, one job: " + ids);
        assertEquals(1, created, "exactly one request created the job");
    }
}

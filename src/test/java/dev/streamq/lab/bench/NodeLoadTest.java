package dev.streamq.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.streamq.lab.Await;
import dev.streamq.lab.RedisNode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The side-by-side bench's load client (src/lab/node/load.js) and BullMQ's side, for real: node
 * with the modules npm ci installed from the lock (deploy/local/lab test does that first), a
 * real redis-server for BullMQ, and a stand-in HTTP server for the streamq side whose answers
 * the client must count right.
 */
class NodeLoadTest {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keep the node and redis logs of a failed run
    Path dir;

    @Test
    void resultLineIsReadAndAnythingElseIsRefused() {
        NodeLoad.Result r = NodeLoad.Result.parse("RESULT {\"jobs\":200,\"ok\":199,\"errors\":1,\"firstSubmitMillis\":1000,"
                + "\"lastAnswerMillis\":1500,\"cpuMicros\":12345,\"firstError\":\"HTTP 503\"}");
        assertEquals(new NodeLoad.Result(200, 199, 1, 1000, 1500, 12345, "HTTP 503"), r);
        assertNull(NodeLoad.Result.parse("RESULT {\"jobs\":1,\"ok\":1,\"errors\":0,\"firstSubmitMillis\":1,"
                + "\"lastAnswerMillis\":2,\"cpuMicros\":3,\"firstError\":null}").firstError());
        assertThrows(IllegalArgumentException.class, () -> NodeLoad.Result.parse("READY"));
        assertThrows(IllegalArgumentException.class, () -> NodeLoad.Result.parse("RESULT {\"jobs\":1}"));
        assertThrows(IllegalArgumentException.class, () -> NodeLoad.Result.parse("RESULT {cut"));
    }

    @Test
    void bullmqWorkerFinishesEveryJobTheClientAdded() {
        try (RedisNode redis = RedisNode.builder(dir.resolve("redis")).start()) {
            BullmqContender bullmq = new BullmqContender(redis.port(), dir, 50);
            assertTrue(bullmq.name().startsWith("BullMQ 6.7."), bullmq.name());
            bullmq.start(List.of("single", "batch", "paced"));
            try {
                NodeLoad load = new NodeLoad(dir.resolve("clients"));
                NodeLoad.Result single = load.closedLoop(bullmq.target(), "single", 200, 1, 50);
                assertEquals(new NodeLoad.Result(200, 200, 0, single.firstSubmitMillis(), single.lastAnswerMillis(),
                        single.cpuMicros(), null), single);
                assertTrue(single.cpuMicros() > 0 && single.lastAnswerMillis() >= single.firstSubmitMillis(), single::toString);
                awaitFinished(bullmq, "single", 200);

                assertEquals(200, load.closedLoop(bullmq.target(), "batch", 200, 30, 4).ok()); // 6 × 30 + 20
                awaitFinished(bullmq, "batch", 200);

                Path submits = dir.resolve("paced.submits");
                NodeLoad.Result paced = load.paced(bullmq.target(), "paced", 100, 1, submits);
                assertEquals(100, paced.ok());
                awaitFinished(bullmq, "paced", 100);
                Map<String, Long> sent = NodeLoad.submits(submits);
                Map<String, Long> finished = bullmq.finishedMillis("paced");
                assertEquals(finished.keySet(), sent.keySet(), "ids the client wrote down vs BullMQ's completed set");
                sent.forEach((id, at) -> assertTrue(finished.get(id) >= at, () -> id + " finished before it was sent"));
                // open loop: 100 submits spread over the second, not sent at once
                long spread = sent.values().stream().mapToLong(Long::longValue).max().orElse(0)
                        - sent.values().stream().mapToLong(Long::longValue).min().orElse(0);
                assertTrue(spread >= 900 && spread < 1500, () -> "100 submits at 100/s spread over " + spread + " ms");
            } finally {
                bullmq.stop();
            }
        }
    }

    @Test
    void streamqClientCountsAnswersAndTakesIdsFromLocation() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger next = new AtomicInteger();
        Set<String> bodies = ConcurrentHashMap.newKeySet();
        server.createContext("/queues/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            bodies.add(path + " " + body.length());
            int n = next.incrementAndGet();
            if (path.equals("/queues/q/jobs") && n % 10 == 0) {
                exchange.sendResponseHeaders(503, -1); // every tenth single submit refused
            } else {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1/jobs/job-" + n);
                exchange.sendResponseHeaders(202, -1);
            }
            exchange.close();
        });
        server.start();
        try {
            NodeLoad load = new NodeLoad(dir.resolve("clients"));
            List<String> target = List.of("--target", "streamq", "--url", "http://127.0.0.1:" + server.getAddress().getPort());
            Path submits = dir.resolve("streamq.submits");
            NodeLoad.Result paced = load.paced(target, "q", 50, 1, submits);
            assertEquals(50, paced.jobs());
            assertEquals(45, paced.ok());
            assertEquals(5, paced.errors());
            assertTrue(paced.firstError().contains("503"), paced.firstError());
            Map<String, Long> sent = NodeLoad.submits(submits);
            assertEquals(45, sent.size());
            assertTrue(sent.keySet().stream().allMatch(id -> id.matches("job-\\d+")), sent::toString);

            NodeLoad.Result batch = load.closedLoop(target, "b", 250, 100, 50);
            assertEquals(250, batch.ok()); // 100 + 100 + 50
            assertTrue(bodies.stream().anyMatch(b -> b.startsWith("/queues/b/jobs/batch ")), bodies::toString);
            // a single noop job is about 100 bytes of JSON, as the bench says
            int single = bodies.stream().filter(b -> b.startsWith("/queues/q/jobs ")).mapToInt(b -> Integer.parseInt(b.split(" ")[1]))
                    .findFirst().orElse(0);
            assertTrue(single >= 100 && single <= 140, "single submit body of " + single + " bytes");
        } finally {
            server.stop(0);
        }
    }

    private static void awaitFinished(Contender side, String queue, long jobs) {
        Await.condition(jobs + " jobs of " + queue + " finished", Duration.ofSeconds(20), Duration.ofMillis(50),
                () -> side.finished(queue, jobs));
    }
}

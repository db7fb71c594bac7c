package dev.streamq.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.lab.Await;
import dev.streamq.lab.JobsClient;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.RespClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the packaged API (role=api, so no worker writes meanwhile) with {@link HostileRequests}:
 * fails on any 5xx, on a 4xx without a problem body, and on a refused request that changed
 * Redis (its key count or the queue registry). Prints the seed and what it sent; rerun a
 * failure with {@code -Dfuzz.seed=<seed>}.
 */
class HostileRequestsIT {

    private static final int REQUESTS = 1_500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(180)
    void hostileRequestsGetProblemsAndWriteNothing() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("fuzz seed=" + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"));
                ServiceProcess api = ServiceProcess.builder(ServiceProcess.defaultJar()).name("fuzzed").role("api")
                        .topology(topology).workDir(dir).start().awaitReady(Duration.ofSeconds(60))) {
            RedisNode redis = topology.currentMaster();
            // one accepted job first, so the doorbell key exists before counting keys
            assertEquals(202, new JobsClient(api.baseUrl()).submit("fuzz", JobsClient.job("noop", Map.of(), null, null), null).status());
            Await.condition("the doorbell to exist", Duration.ofSeconds(5), Duration.ofMillis(20),
                    () -> { try (RespClient c = redis.client()) { return c.callLong("EXISTS", "streamq:ready-queues") == 1; } });

            HostileRequests requests = new HostileRequests(seed);
            Map<Integer, Integer> byStatus = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < REQUESTS && failures.size() < 20; i++) {
                HostileRequests.Request request = requests.next();
                long[] before = state(redis);
                RawHttp.Answer answer = send(api.port(), request);
                byStatus.merge(answer.status(), 1, Integer::sum);
                String wrong = judge(request, answer, before, state(redis));
                if (wrong != null) {
                    failures.add("#" + i + " " + request.what() + " -> " + answer.status() + ": " + wrong);
                }
            }
            System.out.println("fuzz seed=" + seed + " requests=" + byStatus.values().stream().mapToInt(Integer::intValue).sum()
                    + " by status " + byStatus + " failures=" + failures.size());
            failures.forEach(System.out::println);
            assertTrue(failures.isEmpty(), "seed " + seed + ": " + String.join("\n", failures));
        }
    }

    private static RawHttp.Answer send(int port, HostileRequests.Request request) throws IOException {
        try {
            return RawHttp.send(port, request.bytes(port));
        } catch (IOException e) {
            throw new IOException(request.what() + ": " + e.getMessage(), e);
        }
    }

    /** What is wrong with the answer, or null. */
    private static String judge(HostileRequests.Request request, RawHttp.Answer answer, long[] before, long[] after) {
        if (answer.status() >= 500) {
            return "a server error: " + answer.body();
        }
        if (answer.status() < 400) {
            return null;
        }
        if (before[0] != after[0] || before[1] != after[1]) {
            return "refused, yet Redis changed: keys " + before[0] + " -> " + after[0] + ", queues " + before[1] + " -> " + after[1];
        }
        if (request.method().equals("HEAD")) {
            return null;
        }
        String type = answer.header("content-type");
        if (type == null || !type.startsWith("application/problem+json")) {
            return "not a problem: content-type " + type + ", body '" + answer.body() + "'";
        }
        try {
            JsonNode problem = JSON.readTree(answer.body());
            if (problem.path("status").asInt() != answer.status() || !problem.path("detail").isTextual()) {
                return "a problem without its status or detail: " + answer.body();
            }
        } catch (IOException e) {
            return "a problem body that is not JSON: " + answer.body();
        }
        return null;
    }

    /** Keys in Redis and queues in the registry. */
    private static long[] state(RedisNode redis) {
        try (RespClient client = redis.client()) {
            return new long[] {client.callLong("DBSIZE"), client.callLong("SCARD", "streamq:queues")};
        }
    }
}

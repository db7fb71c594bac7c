package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * streamq against Redis as a managed service hands it out (ManagedRedisResource): TLS only with
 * a private CA, the default user off, and an ACL user with the documented least-privilege rule.
 * Jobs live their whole life under that user without one refused command, and the user cannot
 * do what streamq never needs.
 */
@QuarkusTest
@WithTestResource(ManagedRedisResource.class)
class ManagedRedisTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String KEY = "streamq:{q}:ready";

    @Test
    void jobRunsEndToEndOverTlsWithTheConfiguredCa() {
        String id = Jobs.submit("tls", "{\"type\":\"noop\"}");
        JsonPath job = Jobs.awaitState(id, "succeeded", WAIT);
        assertEquals(1, job.getInt("attempts"));
        given().when().get("/q/health/ready").then().statusCode(200);
        try (RespClient client = ManagedRedisResource.server.client()) {
            assertEquals(List.of("port", "0"), client.call("CONFIG", "GET", "port"), "the server has no plain-text port");
            String clients = (String) client.call("CLIENT", "LIST");
            assertTrue(clients.contains("user=" + ManagedRedisResource.USER), "streamq is logged in as its ACL user: " + clients);
        }
    }

    @Test
    void aWholeLifeRunsUnderTheLeastPrivilegeUserWithoutOneRefusal() {
        try (RespClient client = ManagedRedisResource.server.client()) {
            client.call("ACL", "LOG", "RESET");
        }
        String quick = Jobs.submit("managed", "{\"type\":\"noop\"}");
        String retried = Jobs.submit("managed", "{\"type\":\"fail\",\"payload\":{\"failures\":1},\"maxAttempts\":3}");
        // longer than the lease interval: the lease keeper renews it under the user
        String slow = Jobs.submit("managed", "{\"type\":\"sleep\",\"payload\":{\"ms\":1500}}");
        String dying = Jobs.submit("managed", "{\"type\":\"fail\",\"maxAttempts\":1}");

        Jobs.awaitState(quick, "succeeded", WAIT);
        assertEquals(2, Jobs.awaitState(retried, "succeeded", WAIT).getInt("attempts"), "failed once, retried, succeeded");
        assertEquals("max_attempts", Jobs.awaitState(dying, "dead", WAIT).getString("deadReason"));
        given().when().get("/queues/managed/dead").then().statusCode(200).body("items.jobId", hasItem(dying));
        try (CapturedEvents events = CapturedEvents.start()) {
            given().when().post("/jobs/" + dying + "/redrive").then().statusCode(200).body("redriven", equalTo(true));
            Await.condition("the redriven job to die again", WAIT, Duration.ofMillis(50),
                    () -> !events.lines("job_dead_lettered", "managed", dying).isEmpty());
        }
        Jobs.awaitState(slow, "succeeded", WAIT);
        // a queue left idle is forgotten (forget.lua: XINFO STREAM, DEL) under the user too
        String fleeting = Jobs.submit("fleeting", "{\"type\":\"noop\"}");
        Jobs.awaitState(fleeting, "succeeded", WAIT);
        Await.condition("the idle queue to be forgotten", WAIT, Duration.ofMillis(100),
                () -> !given().when().get("/queues").then().statusCode(200).extract().jsonPath()
                        .getList("queue").contains("fleeting"));
        given().when().get("/queues").then().statusCode(200).body("queue", hasItem("managed"));
        given().when().get("/queues/managed").then().statusCode(200).body("dead", equalTo(1));
        Await.sleep(Duration.ofSeconds(1)); // a few rounds of every background duty (promoter, reclaimer, pruner)

        try (RespClient client = ManagedRedisResource.server.client()) {
            assertEquals(List.of(), client.call("ACL", "LOG"), "no command streamq sent was refused");
        }
    }

    @Test
    void theUserIsRefusedWhatStreamqNeverSends() {
        try (RespClient streamq = ManagedRedisResource.server.as(ManagedRedisResource.USER, ManagedRedisResource.PASSWORD)) {
            for (String[] command : List.of(new String[] {"FLUSHALL"}, new String[] {"FLUSHDB"},
                    new String[] {"CONFIG", "GET", "maxmemory"}, new String[] {"CONFIG", "SET", "maxmemory", "1"},
                    new String[] {"DEBUG", "SLEEP", "0"}, new String[] {"KEYS", "*"}, new String[] {"SCAN", "0"},
                    new String[] {"SHUTDOWN", "NOSAVE"}, new String[] {"ACL", "WHOAMI"}, new String[] {"SCRIPT", "FLUSH"},
                    new String[] {"GET", "other:key"}, new String[] {"SET", "other:key", "x"},
                    new String[] {"XADD", "not-streamq", "*", "f", "v"}, new String[] {"PUBLISH", "streamq:channel", "x"})) {
                try {
                    streamq.call(command);
                    fail(String.join(" ", command) + " was allowed");
                } catch (RespClient.RespError refused) {
                    assertEquals("NOPERM", refused.code(), String.join(" ", command) + ": " + refused.getMessage());
                }
            }
            assertEquals("OK", streamq.call("SET", "streamq:{acl}:probe", "x"), "its own keys it may write");
            assertEquals(1L, streamq.call("DEL", "streamq:{acl}:probe"));
        }
    }

    /**
     * Every command src/main names, and every command the Lua scripts call, is allowed by the
     * documented rule (ACL DRYRUN as the user): a new command in the code fails here until the
     * rule in docs/managed-redis.md and this table have it.
     */
    @Test
    void theDocumentedRuleAllowsEveryCommandTheCodeSends() {
        Map<String, List<List<String>>> samples = samples();
        Set<String> sent = commandsInCode();
        sent.remove("SENTINEL"); // sent to sentinels only, which have users of their own
        Set<String> missing = new TreeSet<>(sent);
        missing.removeAll(samples.keySet());
        assertEquals(Set.of(), missing, "commands in the code with no sample here (and maybe none in the rule)");
        List<String> refused = new ArrayList<>();
        try (RespClient client = ManagedRedisResource.server.client()) {
            samples.values().stream().flatMap(List::stream).forEach(command -> {
                List<String> dryRun = new ArrayList<>(List.of("ACL", "DRYRUN", ManagedRedisResource.USER));
                dryRun.addAll(command);
                Object answer = client.call(dryRun.toArray(String[]::new));
                if (!"OK".equals(answer)) {
                    refused.add(String.join(" ", command) + ": " + answer);
                }
            });
            for (String command : List.of("FLUSHALL", "KEYS", "DEBUG")) {
                assertTrue(!"OK".equals(client.call("ACL", "DRYRUN", ManagedRedisResource.USER, command, "x")),
                        "DRYRUN tells refusals apart: " + command);
            }
        }
        assertEquals(List.of(), refused);
    }

    /** One invocation per command (and subcommand) streamq sends, on a streamq key. */
    private static Map<String, List<List<String>>> samples() {
        Map<String, List<List<String>>> s = new LinkedHashMap<>();
        // the connection handshake and the startup probes
        s.put("HELLO", List.of(List.of("HELLO", "3")));
        s.put("AUTH", List.of(List.of("AUTH", "streamq", "x")));
        s.put("PING", List.of(List.of("PING")));
        s.put("SELECT", List.of(List.of("SELECT", "0")));
        s.put("CLIENT", List.of(List.of("CLIENT", "INFO")));
        s.put("INFO", List.of(List.of("INFO", "memory"), List.of("INFO", "replication"), List.of("INFO", "persistence")));
        s.put("ROLE", List.of(List.of("ROLE")));
        s.put("WAIT", List.of(List.of("WAIT", "0", "0")));
        s.put("EVAL", List.of(List.of("EVAL", "return 1", "1", KEY)));
        s.put("EVALSHA", List.of(List.of("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "1", KEY)));
        // streams
        s.put("XADD", List.of(List.of("XADD", KEY, "*", "f", "v")));
        s.put("XREAD", List.of(List.of("XREAD", "STREAMS", KEY, "0")));
        s.put("XREADGROUP", List.of(List.of("XREADGROUP", "GROUP", "g", "c", "STREAMS", KEY, ">")));
        s.put("XGROUP", List.of(List.of("XGROUP", "CREATE", KEY, "g", "0", "MKSTREAM")));
        s.put("XACK", List.of(List.of("XACK", KEY, "g", "0-1")));
        s.put("XDEL", List.of(List.of("XDEL", KEY, "0-1")));
        s.put("XCLAIM", List.of(List.of("XCLAIM", KEY, "g", "c", "0", "0-1")));
        s.put("XPENDING", List.of(List.of("XPENDING", KEY, "g", "IDLE", "0", "-", "+", "10")));
        s.put("XLEN", List.of(List.of("XLEN", KEY)));
        s.put("XRANGE", List.of(List.of("XRANGE", KEY, "-", "+")));
        s.put("XREVRANGE", List.of(List.of("XREVRANGE", KEY, "+", "-")));
        s.put("XINFO", List.of(List.of("XINFO", "GROUPS", KEY), List.of("XINFO", "STREAM", KEY)));
        // job hashes, idempotency keys, the registry, scheduled jobs
        s.put("HGETALL", List.of(List.of("HGETALL", KEY)));
        s.put("HGET", List.of(List.of("HGET", KEY, "f")));
        s.put("HMGET", List.of(List.of("HMGET", KEY, "f")));
        s.put("HSET", List.of(List.of("HSET", KEY, "f", "v")));
        s.put("HDEL", List.of(List.of("HDEL", KEY, "f")));
        s.put("HINCRBY", List.of(List.of("HINCRBY", KEY, "f", "1")));
        s.put("GET", List.of(List.of("GET", KEY)));
        s.put("SET", List.of(List.of("SET", KEY, "v", "EX", "1")));
        s.put("DEL", List.of(List.of("DEL", KEY)));
        s.put("EXISTS", List.of(List.of("EXISTS", KEY)));
        s.put("EXPIRE", List.of(List.of("EXPIRE", KEY, "1")));
        s.put("PERSIST", List.of(List.of("PERSIST", KEY)));
        s.put("SADD", List.of(List.of("SADD", KEY, "m")));
        s.put("SREM", List.of(List.of("SREM", KEY, "m")));
        s.put("SCARD", List.of(List.of("SCARD", KEY)));
        s.put("SISMEMBER", List.of(List.of("SISMEMBER", KEY, "m")));
        s.put("SMEMBERS", List.of(List.of("SMEMBERS", KEY)));
        s.put("ZADD", List.of(List.of("ZADD", KEY, "1", "m")));
        s.put("ZREM", List.of(List.of("ZREM", KEY, "m")));
        s.put("ZCARD", List.of(List.of("ZCARD", KEY)));
        s.put("ZRANGE", List.of(List.of("ZRANGE", KEY, "0", "0", "WITHSCORES")));
        s.put("ZRANGEBYSCORE", List.of(List.of("ZRANGEBYSCORE", KEY, "0", "1")));
        // Redis Cluster: the slot map, replica reads, resharding redirects
        s.put("CLUSTER", List.of(List.of("CLUSTER", "SLOTS"), List.of("CLUSTER", "SHARDS"), List.of("CLUSTER", "INFO")));
        s.put("READONLY", List.of(List.of("READONLY")));
        s.put("ASKING", List.of(List.of("ASKING")));
        return s;
    }

    /** Command.X in src/main/java, redis.call('X' and pcall(redis.call, 'X' in src/main/resources/lua. */
    private static Set<String> commandsInCode() {
        Set<String> found = new TreeSet<>();
        collect(Path.of("src/main/java"), ".java", Pattern.compile("\\bCommand\\.([A-Z_]+)\\b"), found);
        collect(Path.of("src/main/resources/lua"), ".lua", Pattern.compile("redis\\.p?call(?:\\(|,\\s*)'([A-Za-z]+)'"), found);
        assertTrue(found.containsAll(List.of("EVALSHA", "XREADGROUP", "HSET", "XPENDING")), "the scan finds commands: " + found);
        return found;
    }

    private static void collect(Path root, String suffix, Pattern pattern, Set<String> found) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(suffix)).toList()) {
                Matcher m = pattern.matcher(Files.readString(file));
                while (m.find()) {
                    found.add(m.group(1).toUpperCase(java.util.Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

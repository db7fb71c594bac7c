package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.path;
import static dev.streamq.deploy.DeployTools.requireTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real init scripts from deploy/k8s/redis/scripts, then starts redis-server and
 * redis-sentinel on loopback with the configs they wrote: every directive must be accepted,
 * and the durability settings must behave (a master without a replica refuses writes).
 * Cluster DNS names are made unresolvable (".invalid") so discovery falls back to pod-0, and
 * only host/port/dir are overridden for loopback.
 */
class RedisConfigTest {

    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        for (String tool : List.of("redis-server", "redis-sentinel", "redis-cli", "sh", "timeout")) {
            requireTool(tool, "apt-get install redis-server (redis-tools) coreutils");
        }
    }

    @AfterEach
    void stop() {
        // Only the servers this test started.
        started.forEach(Process::destroyForcibly);
    }

    private String runInit(String script, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", path("deploy/k8s/redis/scripts/" + script).toString());
        pb.environment().putAll(Map.of(
                "POD_NAMESPACE", "streamq",
                "REDIS_NODES", "3",
                "SENTINEL_NODES", "3",
                "SENTINEL_QUORUM", "2",
                "MASTER_NAME", "mymaster",
                "CLUSTER_DOMAIN", "invalid",
                "DISCOVERY_TIMEOUT", "1",
                "SCRIPTS_DIR", path("deploy/k8s/redis/scripts").toString()));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), script + " failed:\n" + out);
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }

    private String await(int port, Predicate<String> ok, int seconds, String... args) throws Exception {
        String last = "";
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            last = cli(port, args);
            if (ok.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        return fail(String.join(" ", args) + " on port " + port + " never matched; last answer: " + last);
    }

    /** Starts a server with a copy of `conf` whose `dir` points into the temp dir. */
    private void start(String binary, Path conf, String dirName, String... overrides) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(dirName));
        Path copy = tmp.resolve(dirName + ".conf");
        Files.writeString(copy, Files.readString(conf).replaceAll("(?m)^dir .*$", "dir " + dir));
        List<String> cmd = new ArrayList<>(List.of(binary, copy.toString()));
        cmd.addAll(List.of(overrides));
        cmd.addAll(List.of("--logfile", dir.resolve("log").toString()));
        started.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout").toFile()).start());
    }

    @Test
    void generatedRedisConfigsStartAndRefuseWritesWithoutAReplica() throws Exception {
        Path masterConf = tmp.resolve("redis-0.conf");
        Path replicaConf = tmp.resolve("redis-1.conf");
        runInit("redis-init.sh", Map.of("POD_NAME", "redis-0", "REDIS_CONF", masterConf.toString()));
        String log = runInit("redis-init.sh", Map.of("POD_NAME", "redis-1", "REDIS_CONF", replicaConf.toString()));
        assertTrue(log.contains("defaulting to redis-0"), log);
        assertTrue(Files.readString(masterConf).lines().noneMatch(l -> l.startsWith("replicaof")), "pod-0 starts as master");
        assertTrue(Files.readString(replicaConf).contains("\nreplicaof redis-0.redis.streamq.svc.invalid 6379\n"));

        int master = freePort();
        int replica = freePort();
        start("redis-server", masterConf, "m", "--port", String.valueOf(master), "--bind", "127.0.0.1");
        await(master, "PONG"::equals, 10, "PING");
        assertEquals("yes", cli(master, "CONFIG", "GET", "appendonly").lines().toList().get(1));
        assertEquals("everysec", cli(master, "CONFIG", "GET", "appendfsync").lines().toList().get(1));
        assertEquals("noeviction", cli(master, "CONFIG", "GET", "maxmemory-policy").lines().toList().get(1));
        // min-replicas-to-write 1: alone, the master must refuse writes.
        assertTrue(cli(master, "SET", "k", "v").startsWith("NOREPLICAS"), "write accepted without a replica");

        // The replica's own config, pointed at the loopback master; the diskless-sync delay
        // is zeroed only to keep the test fast.
        start("redis-server", replicaConf, "r", "--port", String.valueOf(replica), "--bind", "127.0.0.1",
                "--replicaof", "127.0.0.1", String.valueOf(master), "--replica-announce-ip", "127.0.0.1",
                "--repl-diskless-sync-delay", "0");
        await(master, "OK"::equals, 15, "SET", "k", "v");
        assertEquals("v", await(replica, "v"::equals, 10, "GET", "k"));
        assertTrue(cli(replica, "SET", "x", "y").startsWith("READONLY"), "replica must be read-only");
    }

    @Test
    void generatedSentinelConfigStartsWithTheContractTimings() throws Exception {
        Path conf = tmp.resolve("sentinel-0.conf");
        runInit("sentinel-init.sh", Map.of("POD_NAME", "redis-sentinel-0", "SENTINEL_CONF", conf.toString()));
        String text = Files.readString(conf);
        assertTrue(text.contains("\nsentinel monitor mymaster redis-0.redis.streamq.svc.invalid 6379 2\n"), text);

        // A master to monitor, on loopback (the .invalid name cannot resolve here).
        Path masterConf = tmp.resolve("redis-0.conf");
        runInit("redis-init.sh", Map.of("POD_NAME", "redis-0", "REDIS_CONF", masterConf.toString()));
        int master = freePort();
        start("redis-server", masterConf, "m", "--port", String.valueOf(master), "--bind", "127.0.0.1");
        await(master, "PONG"::equals, 10, "PING");

        Path local = tmp.resolve("sentinel-local.conf");
        Files.writeString(local, text.replace("redis-0.redis.streamq.svc.invalid 6379", "127.0.0.1 " + master));
        int sentinel = freePort();
        start("redis-sentinel", local, "s", "--port", String.valueOf(sentinel));
        await(sentinel, a -> a.startsWith("127.0.0.1"), 10, "SENTINEL", "get-master-addr-by-name", "mymaster");

        List<String> info = List.of(cli(sentinel, "SENTINEL", "master", "mymaster").split("\n"));
        assertEquals("2", info.get(info.indexOf("quorum") + 1));
        assertEquals("5000", info.get(info.indexOf("down-after-milliseconds") + 1));
        assertEquals("60000", info.get(info.indexOf("failover-timeout") + 1));
        assertEquals("1", info.get(info.indexOf("parallel-syncs") + 1));
    }
}

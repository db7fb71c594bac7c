package dev.streamq.deploy;

import static dev.streamq.deploy.DeployTools.path;
import static dev.streamq.deploy.DeployTools.requireTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real scripts of deploy/k8s/redis-cluster against six redis-server processes on
 * loopback: cluster-init.sh writes each node's config (every directive must be accepted in
 * cluster mode), cluster-create.sh forms the cluster, and the same scripts must then leave a
 * formed cluster alone and bring it back after every node restarted on a new address.
 * Pod DNS names end in ".invalid" so they never resolve here; only port, bind address, bus
 * port and dir are overridden for loopback, and NODE_ADDRESSES replaces the pod names.
 */
class RedisClusterScriptsTest {

    private static final int NODES = 6;
    private static final String SCRIPTS = "deploy/k8s/redis-cluster/scripts/";

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();
    private final int[] ports = new int[NODES];
    private final int[] busPorts = new int[NODES];
    /** The loopback address each node is bound to; a "restart on another IP" changes it. */
    private final String[] hosts = new String[NODES];
    /** The streamq-redis Secret's password, as the pods get it (REDIS_PASSWORD, REDISCLI_AUTH); "" for none. */
    private String password = "";

    @BeforeAll
    static void tools() {
        for (String tool : List.of("redis-server", "redis-cli", "sh", "timeout")) {
            requireTool(tool, "apt-get install redis-server (redis-tools) coreutils");
        }
    }

    @AfterEach
    void stop() {
        // Only the servers this test started.
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void createJobFormsThreeShardsOnceAndLeavesAFormedClusterAlone() throws Exception {
        // With a password: requirepass on every node, masterauth for the replicas, REDISCLI_AUTH for the Job.
        password = "s3cret-for-the-test";
        startEmptyNodes();
        assertTrue(cliWithout(0, "SET", "k", "v").contains("NOAUTH"), "requirepass is set");
        for (int i = 0; i < NODES; i++) {
            assertEquals("no", config(i, "cluster-require-full-coverage"), "a shard down stops only its own queues");
            assertEquals("5000", config(i, "cluster-node-timeout"));
            assertEquals("hostname", config(i, "cluster-preferred-endpoint-type"));
            assertEquals(podName(i), config(i, "cluster-announce-hostname"));
            assertEquals("yes", config(i, "appendonly"));
            assertEquals("everysec", config(i, "appendfsync"));
            assertEquals("1", config(i, "min-replicas-to-write"));
            assertEquals("10", config(i, "min-replicas-max-lag"));
            assertEquals("noeviction", config(i, "maxmemory-policy"));
        }

        Result created = create();
        assertEquals(0, created.exit, created.out);
        // The replicas' roles reach node 0 by gossip, a moment after the create.
        await(() -> roles().values().stream().filter("master"::equals).count() == 3, 10, "3 masters and 3 replicas");
        Map<String, String> roles = roles();
        assertEquals(3, roles.values().stream().filter("master"::equals).count(), "3 masters: " + roles);
        for (String replicaOf : roles.values().stream().filter(r -> !r.equals("master")).toList()) {
            assertEquals("master", roles.get(replicaOf), "a replica follows a master: " + roles);
        }
        assertEquals(3, roles.values().stream().filter(r -> !r.equals("master")).distinct().count(),
                "each master has its own replica: " + roles);

        // Clients are sent the stable pod names, never an IP: in MOVED and in CLUSTER SLOTS.
        String moved = cli(0, "XADD", "streamq:{orders}:ready", "*", "job", "1");
        if (moved.startsWith("MOVED")) {
            assertTrue(moved.matches("MOVED \\d+ redis-cluster-\\d\\.redis-cluster\\.streamq\\.svc\\.invalid:\\d+"), moved);
        }
        assertTrue(cli(0, "CLUSTER", "SLOTS").contains(podName(0)), "CLUSTER SLOTS names the nodes by hostname");
        // A write on the queue's master is replicated: WAIT sees its replica (min-replicas-to-write 1 holds).
        int owner = ownerOf("streamq:{orders}:ready");
        assertTrue(cli(owner, "XADD", "streamq:{orders}:ready", "*", "job", "2").matches("\\d+-\\d+"));
        assertEquals("1", cli(owner, "WAIT", "1", "2000"));

        String before = cli(0, "CLUSTER", "NODES").lines().map(l -> l.split(" ")[0] + " " + l.split(" ")[6]).sorted()
                .collect(Collectors.joining("\n"));
        Result again = create();
        assertEquals(0, again.exit, again.out);
        assertTrue(again.out.contains("nothing to do"), again.out);
        String after = cli(0, "CLUSTER", "NODES").lines().map(l -> l.split(" ")[0] + " " + l.split(" ")[6]).sorted()
                .collect(Collectors.joining("\n"));
        assertEquals(before, after, "a second run changes no node and no epoch");

        // One node blank among formed ones (a lost PVC): not the create Job's to fix.
        int replica = roles.entrySet().stream().filter(e -> !e.getValue().equals("master")).findFirst().orElseThrow().getKey()
                .charAt(0) - '0';
        assertEquals("OK", cli(replica, "CLUSTER", "RESET", "HARD"));
        Result refused = create();
        assertNotEquals(0, refused.exit, "must refuse to create over a formed cluster:\n" + refused.out);
        assertTrue(refused.out.contains("not creating"), refused.out);
        assertEquals("16384", clusterInfo(owner).get("cluster_slots_assigned"), "the formed nodes keep their slots");
    }

    /**
     * Every pod restarted at once, each with a new IP (a cluster-wide restart): nodes.conf still
     * holds the old IPs, which the cluster bus dials. cluster-init.sh rewrites them from DNS (a
     * stand-in getent maps each pod name to its new loopback address), so the nodes find each
     * other again with their node IDs, slots and data. Without the rewrite they stay in
     * cluster_state:fail (checked by hand when this was written).
     */
    @Test
    void aFullRestartOnNewAddressesRejoinsFromDns() throws Exception {
        startEmptyNodes();
        assertEquals(0, create().exit);
        // Let gossip spread the replicas' roles to every node before the shutdown.
        for (int i = 0; i < NODES; i++) {
            int node = i;
            await(() -> cli(node, "CLUSTER", "NODES").lines().filter(l -> l.contains("slave")).count() == 3, 10,
                    "node " + i + " knows the 3 replicas");
        }
        int owner = ownerOf("streamq:{orders}:ready");
        assertTrue(cli(owner, "XADD", "streamq:{orders}:ready", "*", "job", "1").matches("\\d+-\\d+"));
        assertEquals("1", cli(owner, "WAIT", "1", "2000"));
        String ids = nodeIds();

        for (int i = 0; i < NODES; i++) {
            cli(i, "SHUTDOWN");
        }
        for (Process p : started) {
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "redis-server did not shut down");
        }
        started.clear();

        Path bin = Files.createDirectories(tmp.resolve("bin"));
        StringBuilder getent = new StringBuilder("#!/bin/sh\n# stand-in for getent hosts NAME\ncase \"$2\" in\n");
        for (int i = 0; i < NODES; i++) {
            hosts[i] = "127.0.0." + (11 + i);
            getent.append("  ").append(podName(i)).append(") echo \"").append(hosts[i]).append("  $2\" ;;\n");
        }
        getent.append("  *) exit 2 ;;\nesac\n");
        Path fake = bin.resolve("getent");
        Files.writeString(fake, getent);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));

        for (int i = 0; i < NODES; i++) {
            String log = init(i, Map.of("PATH", bin + ":" + System.getenv("PATH")));
            assertTrue(log.contains("rejoins with node ID"), log);
            assertTrue(Files.readString(nodesConf(i)).contains(" " + hosts[(i + 1) % NODES] + ":" + ports[(i + 1) % NODES] + "@"),
                    "peer address rewritten in " + nodesConf(i) + ":\n" + Files.readString(nodesConf(i)));
            startNode(i);
        }
        for (int i = 0; i < NODES; i++) {
            int node = i;
            await(() -> "ok".equals(clusterInfo(node).get("cluster_state")), 30, "node " + i + " back in cluster_state:ok");
        }
        assertEquals(ids, nodeIds(), "every node kept its identity");
        int ownerNow = ownerOf("streamq:{orders}:ready");
        await(() -> "1".equals(cli(ownerNow, "XLEN", "streamq:{orders}:ready")), 10, "the queued job survived the restart");
    }

    // --- nodes -------------------------------------------------------------------------------

    private static String podName(int i) {
        return "redis-cluster-" + i + ".redis-cluster.streamq.svc.invalid";
    }

    private Path nodesConf(int i) {
        return tmp.resolve("n" + i).resolve("nodes.conf");
    }

    private void startEmptyNodes() throws Exception {
        // All twelve ports held open together, so that no two of them can be the same.
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2 * NODES; i++) {
                held.add(new ServerSocket(0));
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
        for (int i = 0; i < NODES; i++) {
            ports[i] = held.get(i).getLocalPort();
            busPorts[i] = held.get(NODES + i).getLocalPort();
            hosts[i] = "127.0.0.1";
            Files.createDirectories(tmp.resolve("n" + i));
            String log = init(i, Map.of());
            assertTrue(log.contains("starts empty"), log);
            startNode(i);
        }
        for (int i = 0; i < NODES; i++) {
            int node = i;
            await(() -> "PONG".equals(cli(node, "PING")), 20, () -> "node " + node + " answers PING; its log:\n" + log(node));
        }
    }

    private String log(int i) {
        try {
            Path log = tmp.resolve("n" + i).resolve("log");
            Path out = tmp.resolve("n" + i).resolve("stdout");
            return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? Files.readString(log) : "(no log)");
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String init(int i, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("REDIS_PASSWORD", password));
        all.putAll(Map.of(
                "POD_NAME", "redis-cluster-" + i,
                "POD_NAMESPACE", "streamq",
                "CLUSTER_DOMAIN", "invalid",
                "DNS_TIMEOUT", "1",
                "REDIS_CONF", tmp.resolve("n" + i + ".conf").toString(),
                "NODES_CONF", nodesConf(i).toString()));
        all.putAll(env);
        Result r = sh("cluster-init.sh", all, 30);
        assertEquals(0, r.exit, "cluster-init.sh failed:\n" + r.out);
        String conf = Files.readString(tmp.resolve("n" + i + ".conf"));
        assertTrue(conf.contains("\ncluster-config-file " + nodesConf(i) + "\n"), conf);
        return r.out;
    }

    /** Starts node i from the config cluster-init.sh wrote, with dir and addresses moved to loopback. */
    private void startNode(int i) throws IOException {
        Path dir = tmp.resolve("n" + i);
        Path copy = tmp.resolve("n" + i + "-local.conf");
        Files.writeString(copy, Files.readString(tmp.resolve("n" + i + ".conf")).replaceAll("(?m)^dir .*$", "dir " + dir));
        started.add(new ProcessBuilder("redis-server", copy.toString(), "--port", String.valueOf(ports[i]),
                "--bind", hosts[i], "--cluster-port", String.valueOf(busPorts[i]),
                // zero delay only to keep the test fast (the shipped config keeps Redis' default)
                "--repl-diskless-sync-delay", "0", "--logfile", dir.resolve("log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout").toFile()).start());
    }

    private Result create() throws Exception {
        String addresses = java.util.stream.IntStream.range(0, NODES).mapToObj(i -> hosts[i] + ":" + ports[i])
                .collect(Collectors.joining(" "));
        Map<String, String> env = new HashMap<>(Map.of("POD_NAMESPACE", "streamq", "CLUSTER_NODES", String.valueOf(NODES),
                "CLUSTER_REPLICAS", "1", "NODE_ADDRESSES", addresses, "WAIT_SECONDS", "30"));
        if (!password.isEmpty()) {
            // Without the Secret (it is optional) Kubernetes leaves the variable unset, not empty.
            env.put("REDISCLI_AUTH", password);
        }
        return sh("cluster-create.sh", env, 90);
    }

    /** Node index -> "master", or the index of the master it replicates. */
    private Map<String, String> roles() throws Exception {
        Map<String, String> idToIndex = new HashMap<>();
        Map<String, String> idToMaster = new HashMap<>();
        for (String line : cli(0, "CLUSTER", "NODES").lines().toList()) {
            String[] f = line.split(" ");
            Matcher port = Pattern.compile(":(\\d+)@").matcher(f[1]);
            assertTrue(port.find(), line);
            for (int i = 0; i < NODES; i++) {
                if (ports[i] == Integer.parseInt(port.group(1))) {
                    idToIndex.put(f[0], String.valueOf(i));
                }
            }
            idToMaster.put(f[0], f[2].contains("master") ? "master" : f[3]);
        }
        Map<String, String> roles = new TreeMap<>();
        idToMaster.forEach((id, m) -> roles.put(idToIndex.get(id), m.equals("master") ? m : idToIndex.get(m)));
        return roles;
    }

    private String nodeIds() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            ids.add(i + "=" + cli(i, "CLUSTER", "MYID"));
        }
        return String.join(" ", ids);
    }

    /** The node that serves a key, from the slot map (the MOVED target's pod name gives its index). */
    private int ownerOf(String key) throws Exception {
        for (int i = 0; i < NODES; i++) {
            String reply = cli(i, "XLEN", key);
            if (!reply.startsWith("MOVED")) {
                return i;
            }
        }
        return fail("no node serves " + key);
    }

    private String config(int i, String key) throws Exception {
        return cli(i, "CONFIG", "GET", key).lines().toList().get(1);
    }

    private Map<String, String> clusterInfo(int i) throws Exception {
        Map<String, String> info = new HashMap<>();
        for (String line : cli(i, "CLUSTER", "INFO").lines().toList()) {
            String[] kv = line.trim().split(":", 2);
            if (kv.length == 2) {
                info.put(kv[0], kv[1]);
            }
        }
        return info;
    }

    // --- processes ---------------------------------------------------------------------------

    private record Result(int exit, String out) {}

    private Result sh(String script, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", path(SCRIPTS + script).toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes());
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(script + " did not finish in " + timeoutSeconds + " s:\n" + out.join());
        }
        return new Result(p.exitValue(), out.join());
    }

    private String cli(int i, String... args) throws IOException, InterruptedException {
        return redisCli(i, password, args);
    }

    private String cliWithout(int i, String... args) throws IOException, InterruptedException {
        return redisCli(i, "", args);
    }

    private String redisCli(int i, String auth, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", hosts[i], "-p", String.valueOf(ports[i])));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (!auth.isEmpty()) {
            pb.environment().put("REDISCLI_AUTH", auth);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return out;
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check, int seconds, String what) throws Exception {
        await(check, seconds, () -> what);
    }

    private static void await(Check check, int seconds, java.util.function.Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(100);
        }
        fail(what.get() + ": not within " + seconds + " s");
    }
}

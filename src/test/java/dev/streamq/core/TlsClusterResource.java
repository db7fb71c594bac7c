package dev.streamq.core;

import dev.streamq.lab.Await;
import dev.streamq.lab.Ports;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster that speaks TLS only, as managed services in cluster mode do: 6 TLS-only
 * servers ({@link TlsRedisServer}, certificates made at test start) with {@code tls-cluster} and
 * {@code tls-replication}, joined by {@code redis-cli --tls --cluster create}; the application
 * told {@code client-type=cluster}, the rediss:// seeds and the test CA, as docs/managed-redis.md says.
 */
public class TlsClusterResource implements QuarkusTestResourceLifecycleManager {

    static volatile List<TlsRedisServer> nodes = List.of();

    @Override
    public Map<String, String> start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("streamq-tls-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates certificates = TestCertificates.in(dir);
        List<TlsRedisServer> started = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            started.add(TlsRedisServer.start(dir.resolve("node-" + i), certificates, certificates.server(), List.of(
                    "cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 2000",
                    // a bus port of its own: port + 10000 may fall in the ephemeral range
                    "cluster-port " + Ports.free(), "tls-cluster yes", "tls-replication yes",
                    "masteruser " + TlsRedisServer.HARNESS_USER, "masterauth " + TlsRedisServer.HARNESS_PASSWORD)));
        }
        nodes = List.copyOf(started);
        List<String> create = new ArrayList<>(List.of("redis-cli", "--tls", "--cacert", certificates.ca().toString(),
                "--user", TlsRedisServer.HARNESS_USER, "--pass", TlsRedisServer.HARNESS_PASSWORD, "--cluster", "create"));
        started.forEach(n -> create.add("127.0.0.1:" + n.port()));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        run(create, dir.resolve("cluster-create.log"));
        // ok on every node, and every replica synced: a write waits for its master's replica
        Await.condition("every TLS cluster node to say cluster_state:ok, every replica linked", Duration.ofSeconds(30),
                Duration.ofMillis(200), () -> started.stream().allMatch(n -> {
                    try (RespClient client = n.client()) {
                        return client.callString("CLUSTER", "INFO").contains("cluster_state:ok");
                    }
                }) && started.stream().filter(n -> {
                    try (RespClient client = n.client()) {
                        String replication = client.callString("INFO", "replication");
                        return replication.contains("role:slave") && replication.contains("master_link_status:up");
                    }
                }).count() == 3);
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.redis.client-type", "cluster");
        config.put("quarkus.redis.hosts", started.stream().map(n -> n.uri(null, null)).collect(Collectors.joining(",")));
        config.put("quarkus.redis.tls-configuration-name", "redis");
        config.put("quarkus.tls.redis.trust-store.pem.certs", certificates.ca().toString());
        return config;
    }

    private static void run(List<String> command, Path log) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed, see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        nodes.forEach(TlsRedisServer::close);
    }
}

package dev.streamq.core;

import dev.streamq.lab.Await;
import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.SentinelNode;
import dev.streamq.lab.TcpProxy;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A master with two replicas behind one sentinel, the client in sentinel mode. The replica
 * {@link #laggard} replicates through a {@link TcpProxy}, so a test can hold back its
 * replication stream ({@link TcpProxy#blackhole()}) while the other replica keeps up: the
 * situation in which WAIT 1 of 2 says "replicated" and the laggard still lacks the write.
 * Init args are passed on as configuration.
 */
public class LaggingReplicaResource implements QuarkusTestResourceLifecycleManager {

    static volatile RedisNode master;
    static volatile RedisNode prompt;
    static volatile RedisNode laggard;
    static volatile TcpProxy laggardLink;
    private static volatile SentinelNode sentinel;
    private final Map<String, String> config = new HashMap<>();

    @Override
    public void init(Map<String, String> initArgs) {
        config.putAll(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            master = RedisNode.builder(Files.createTempDirectory("streamq-master-")).name("master").port(Ports.free()).start();
            prompt = RedisNode.builder(Files.createTempDirectory("streamq-prompt-")).name("prompt").port(Ports.free())
                    .replicaOf(master.port()).start();
            laggardLink = TcpProxy.start(master.port());
            laggard = RedisNode.builder(Files.createTempDirectory("streamq-laggard-")).name("laggard").port(Ports.free())
                    .replicaOf(laggardLink.port()).start();
            master.awaitReplicaAcks(2, Duration.ofSeconds(15));
            // Failover timeout far past the test: Sentinel would otherwise re-point the laggard
            // from the proxy's port to the master's own after that long.
            sentinel = SentinelNode.builder(Files.createTempDirectory("streamq-sentinel-"), master.port()).name("sentinel")
                    .quorum(1).downAfterMillis(5000).failoverTimeoutMillis(600_000).start();
            Await.condition("sentinel to know the master and both replicas", Duration.ofSeconds(15), Duration.ofMillis(100),
                    () -> Integer.valueOf(master.port()).equals(sentinel.masterPort()) && sentinel.replicas().size() == 2);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("quarkus.redis.hosts", sentinel.uri());
        config.put("quarkus.redis.client-type", "sentinel");
        config.put("quarkus.redis.master-name", sentinel.masterName());
        return config;
    }

    /** Replicas the master lists (INFO connected_slaves). */
    static int listedReplicas() {
        return Integer.parseInt(master.replicationInfo().get("connected_slaves"));
    }

    /** Whether {@code node} holds the key, asked of the node itself (a replica answers reads). */
    static boolean holds(RedisNode node, String key) {
        try (var redis = node.client()) {
            return redis.callLong("EXISTS", key) == 1;
        }
    }

    @Override
    public void stop() {
        for (AutoCloseable c : new AutoCloseable[] {sentinel, laggard, laggardLink, prompt, master}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort: the lab's Reaper kills what is left at JVM exit
            }
        }
    }
}

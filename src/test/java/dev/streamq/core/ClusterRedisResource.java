package dev.streamq.core;

import dev.streamq.lab.RedisCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Redis Cluster for one test class: 3 masters and 3 replicas on loopback
 * ({@link RedisCluster}), the service pointed at it with the standard keys only
 * (client type cluster, every node a seed); every node stopped by PID when the class is done.
 */
public class ClusterRedisResource implements QuarkusTestResourceLifecycleManager {

    /** The cluster of the test class running now (test classes run one at a time). */
    static volatile RedisCluster current;
    private final Map<String, String> config = new HashMap<>();

    @Override
    public void init(Map<String, String> initArgs) {
        config.putAll(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            current = RedisCluster.start(Files.createTempDirectory("streamq-cluster-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("quarkus.redis.client-type", "cluster");
        config.put("quarkus.redis.hosts", current.redisHosts());
        return config;
    }

    @Override
    public void stop() {
        if (current != null) {
            current.close();
        }
    }
}

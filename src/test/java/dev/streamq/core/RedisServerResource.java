package dev.streamq.core;

import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * A real redis-server on a free loopback port for one test class; stopped by PID when the class
 * is done. Init args are passed on as configuration.
 */
public class RedisServerResource implements QuarkusTestResourceLifecycleManager {

    /** The server of the test class running now (test classes run one at a time). */
    static volatile RedisNode current;
    private final Map<String, String> config = new HashMap<>();

    @Override
    public void init(Map<String, String> initArgs) {
        config.putAll(initArgs);
    }

    @Override
    public Map<String, String> start() {
        try {
            current = RedisNode.builder(Files.createTempDirectory("streamq-redis-")).name("test-redis")
                    .port(Ports.free()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + current.port());
        return config;
    }

    @Override
    public void stop() {
        if (current != null) {
            current.close();
        }
    }
}

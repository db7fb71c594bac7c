package dev.streamq.core;

import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A redis-server that requires a password the application is not given, and a log file for
 * the application, so a test can read what it said at startup.
 */
public class PasswordRedisResource implements QuarkusTestResourceLifecycleManager {

    static volatile Path appLog;
    private RedisNode node;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("streamq-auth-");
            node = RedisNode.builder(dir.resolve("redis")).name("password-redis").port(Ports.free()).start();
            // set once it runs: RedisNode waits for an unauthenticated PING to answer
            try (RespClient client = node.client()) {
                client.call("CONFIG", "SET", "requirepass", "not-the-apps");
            }
            appLog = dir.resolve("app.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + node.port(),
                "quarkus.log.file.enabled", "true", "quarkus.log.file.path", appLog.toString());
    }

    @Override
    public void stop() {
        if (node != null) {
            node.close();
        }
    }
}

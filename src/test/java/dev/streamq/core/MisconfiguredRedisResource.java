package dev.streamq.core;

import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A redis-server set up the way an operator might get it wrong, and a log file for the
 * application, so a test can read what the application said about it at startup.
 */
abstract class MisconfiguredRedisResource implements QuarkusTestResourceLifecycleManager {

    private RedisNode node;

    /** How this Redis differs from the default: settings before it starts. */
    abstract RedisNode.Builder configure(RedisNode.Builder builder);

    /** Changes once it runs (the default: none). */
    void afterStart(RedisNode node) {
    }

    /** quarkus.redis.hosts for the application (the default: the node, no user info). */
    String hosts(RedisNode node) {
        return "redis://127.0.0.1:" + node.port();
    }

    /** Where the application's log goes; the subclass keeps it for its test. */
    abstract void logAt(Path appLog);

    @Override
    public Map<String, String> start() {
        Path appLog;
        try {
            Path dir = Files.createTempDirectory("streamq-" + getClass().getSimpleName() + "-");
            node = configure(RedisNode.builder(dir.resolve("redis")).port(Ports.free())).start();
            afterStart(node);
            appLog = dir.resolve("app.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        logAt(appLog);
        return Map.of("quarkus.redis.hosts", hosts(node),
                "quarkus.log.file.enabled", "true", "quarkus.log.file.path", appLog.toString());
    }

    @Override
    public void stop() {
        if (node != null) {
            node.close();
        }
    }
}

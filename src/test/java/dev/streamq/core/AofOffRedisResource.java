package dev.streamq.core;

import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A redis-server without AOF (appendonly no), and a log file for the application so a test can read its startup. */
public class AofOffRedisResource implements QuarkusTestResourceLifecycleManager {

    static volatile Path appLog;
    private RedisNode node;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("streamq-no-aof-");
            node = RedisNode.builder(dir.resolve("redis")).name("no-aof-redis").port(Ports.free())
                    .setting("appendonly", "no").start();
            appLog = dir.resolve("app.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.redis.hosts", node.uri(),
                "quarkus.log.file.enabled", "true", "quarkus.log.file.path", appLog.toString());
    }

    @Override
    public void stop() {
        if (node != null) {
            node.close();
        }
    }
}

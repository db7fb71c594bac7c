package dev.streamq.core;

import dev.streamq.lab.RedisNode;
import java.nio.file.Path;

/** A redis-server without AOF (appendonly no). */
public class AofOffRedisResource extends MisconfiguredRedisResource {

    static volatile Path appLog;

    @Override
    RedisNode.Builder configure(RedisNode.Builder builder) {
        return builder.name("no-aof-redis").setting("appendonly", "no");
    }

    @Override
    void logAt(Path path) {
        appLog = path;
    }
}

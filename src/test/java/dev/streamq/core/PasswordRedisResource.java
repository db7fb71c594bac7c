package dev.streamq.core;

import dev.streamq.lab.RedisNode;
import dev.streamq.lab.RespClient;
import java.nio.file.Path;

/** A redis-server that requires a password the application is not given. */
public class PasswordRedisResource extends MisconfiguredRedisResource {

    static volatile Path appLog;

    @Override
    RedisNode.Builder configure(RedisNode.Builder builder) {
        return builder.name("password-redis");
    }

    @Override
    void afterStart(RedisNode node) {
        // set once it runs: RedisNode waits for an unauthenticated PING to answer
        try (RespClient client = node.client()) {
            client.call("CONFIG", "SET", "requirepass", "not-the-apps");
        }
    }

    @Override
    void logAt(Path path) {
        appLog = path;
    }
}

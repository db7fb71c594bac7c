package dev.streamq.core;

import dev.streamq.lab.RedisNode;
import dev.streamq.lab.RespClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A redis-server with the default user off and the streamq ACL user of docs/managed-redis.md,
 * while the application is given that user with a wrong password.
 */
public class AclPasswordRedisResource extends MisconfiguredRedisResource {

    static volatile Path appLog;

    @Override
    RedisNode.Builder configure(RedisNode.Builder builder) {
        return builder.name("acl-redis");
    }

    @Override
    void afterStart(RedisNode node) {
        // set once it runs: RedisNode waits for an unauthenticated PING to answer
        List<String> rule = new ArrayList<>(ManagedRedisResource.documentedRule());
        rule.replaceAll(token -> token.equals(">CHANGE-ME") ? ">the-right-one" : token);
        try (RespClient client = node.client()) {
            client.call(rule.toArray(String[]::new));
            client.call("ACL", "SETUSER", "default", "off");
        }
        try (RespClient client = node.client()) {
            client.call("AUTH", "streamq", "the-right-one"); // throws unless the user is set up as the test claims
        }
    }

    @Override
    String hosts(RedisNode node) {
        return "redis://streamq:not-the-right-one@127.0.0.1:" + node.port();
    }

    @Override
    void logAt(Path path) {
        appLog = path;
    }
}

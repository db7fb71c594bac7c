package dev.streamq.core;

import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * A master and its replica, with the client pointed at the replica: what a client stuck on a
 * demoted master sees (ROLE slave, READONLY on every write).
 */
public class ReplicaOnlyResource implements QuarkusTestResourceLifecycleManager {

    private RedisNode master;
    private RedisNode replica;

    @Override
    public Map<String, String> start() {
        try {
            master = RedisNode.builder(Files.createTempDirectory("streamq-master-")).name("master").port(Ports.free()).start();
            replica = RedisNode.builder(Files.createTempDirectory("streamq-replica-")).name("replica").port(Ports.free())
                    .replicaOf(master.port()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + replica.port(),
                "streamq.redis.stale-master-limit", "2s");
    }

    @Override
    public void stop() {
        if (replica != null) {
            replica.close();
        }
        if (master != null) {
            master.close();
        }
    }
}

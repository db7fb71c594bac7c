package dev.streamq.core;

import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A master and its replica for one test class. Init arg {@code client}: "master" (default)
 * or "replica" — the latter is what a client stuck on a demoted master sees (ROLE slave,
 * READONLY on every write). Other init args are passed on as configuration.
 */
public class MasterReplicaResource implements QuarkusTestResourceLifecycleManager {

    static volatile RedisNode master;
    static volatile RedisNode replica;
    private final Map<String, String> config = new HashMap<>();
    private boolean clientOnReplica;

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((key, value) -> {
            if (key.equals("client")) {
                clientOnReplica = value.equals("replica");
            } else {
                config.put(key, value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        try {
            master = RedisNode.builder(Files.createTempDirectory("streamq-master-")).name("master").port(Ports.free()).start();
            replica = RedisNode.builder(Files.createTempDirectory("streamq-replica-")).name("replica").port(Ports.free())
                    .replicaOf(master.port()).start();
            awaitReplicaOnline(Duration.ofSeconds(15));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + (clientOnReplica ? replica : master).port());
        return config;
    }

    /** Until a WAIT for one replica succeeds on the master: before that no job can be durable. */
    static void awaitReplicaOnline(Duration timeout) {
        master.awaitReplicaAcks(1, timeout);
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

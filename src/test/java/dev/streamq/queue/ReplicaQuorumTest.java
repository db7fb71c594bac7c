package dev.streamq.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamq.lab.Ports;
import dev.streamq.lab.RedisNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a write must reach, read from a real master's INFO replication and a view of promotable replicas. */
class ReplicaQuorumTest {

    @Test
    void promotableReplicaTheMasterDoesNotListCountsOnceListedOnesAreNotCountedTwice() throws Exception {
        try (RedisNode master = RedisNode.builder(Files.createTempDirectory("streamq-q-master-")).name("master")
                .port(Ports.free()).start();
                RedisNode replica = RedisNode.builder(Files.createTempDirectory("streamq-q-replica-")).name("replica")
                        .port(Ports.free()).replicaOf(master.port()).start()) {
            master.awaitReplicaAcks(1, Duration.ofSeconds(15));
            String info;
            try (var redis = master.client()) {
                info = redis.callString("INFO", "replication");
            }
            String listed = "127.0.0.1:" + replica.port();
            assertEquals(1, ReplicaQuorum.mustHold(info, Set.of()));
            assertEquals(1, ReplicaQuorum.mustHold(info, Set.of(listed)), "a listed replica counts once");
            assertEquals(2, ReplicaQuorum.mustHold(info, Set.of(listed, "127.0.0.1:1")),
                    "a promotable replica the master does not list must hold the write too");
        }
    }
}

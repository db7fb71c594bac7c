package dev.streamq.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** iptables partition of a loopback port; skipped where iptables cannot be used. */
class NetPartitionTest {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path workDir;

    @Test
    @Timeout(30)
    void isolatedNodeTimesOutAndHealedNodeAnswers() {
        String reason = NetPartition.unavailableReason();
        assumeTrue(reason == null, reason);
        try (RedisNode redis = RedisNode.builder(workDir).name("partitioned").start();
                NetPartition partition = new NetPartition();
                RespClient before = new RespClient("127.0.0.1", redis.port(), Duration.ofMillis(500))) {
            assertEquals("PONG", before.callString("PING"));
            partition.isolate(redis.port());
            assertTrue(partition.isolatedPorts().contains(redis.port()));
            // Silent partition: an open connection times out, a new one cannot connect.
            assertThrows(UncheckedIOException.class, () -> before.call("PING"));
            assertThrows(UncheckedIOException.class,
                    () -> new RespClient("127.0.0.1", redis.port(), Duration.ofMillis(500)).close());
            assertTrue(redis.isAlive(), "the process itself is untouched");

            partition.heal();
            assertEquals("PONG", RespClient.once(redis.port(), Duration.ofSeconds(2), "PING"));
        }
    }
}

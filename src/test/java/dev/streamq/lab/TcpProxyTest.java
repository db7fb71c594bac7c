package dev.streamq.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The proxy the drills use for latency and partitions, checked against a real redis. */
class TcpProxyTest {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keep redis/sentinel logs of a failed run
    static Path workDir;
    static RedisNode redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisNode.builder(workDir.resolve("redis")).name("proxy-target").start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Timeout(20)
    void bytesPassThroughBothWaysIntact() {
        try (TcpProxy proxy = TcpProxy.start(redis.port());
                RespClient client = RespClient.connect(proxy.port())) {
            // 300 kB spans many 16 kB chunks in both directions.
            char[] big = new char[300_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (char) ('a' + i % 26);
            }
            String value = new String(big);
            assertEquals("OK", client.callString("SET", "proxy:big", value));
            assertEquals(value, client.callString("GET", "proxy:big"));
            assertEquals("PONG", client.callString("PING"));
            assertTrue(proxy.bytesToTarget() > 300_000);
            assertTrue(proxy.bytesToClient() > 300_000);
        }
    }

    @Test
    @Timeout(20)
    void addedLatencyShowsInTheRoundTrip() {
        try (TcpProxy proxy = TcpProxy.start(redis.port())) {
            proxy.setLatency(Duration.ofMillis(40));
            long direct = medianPingMillis(redis.port());
            long proxied = medianPingMillis(proxy.port());
            // 40 ms each way: a PING round trip through the proxy costs at least 80 ms more.
            assertTrue(proxied >= 80, "proxied RTT " + proxied + " ms");
            assertTrue(proxied - direct >= 75, "direct " + direct + " ms vs proxied " + proxied + " ms");
            assertTrue(proxied < 1000, "proxied RTT " + proxied + " ms is far more than asked");

            proxy.setLatency(Duration.ZERO);
            long after = medianPingMillis(proxy.port());
            assertTrue(after < 40, "latency not removed: " + after + " ms");
        }
    }

    @Test
    @Timeout(20)
    void cutDropsAndRefusesConnectionsAndRestoreBringsThemBack() {
        try (TcpProxy proxy = TcpProxy.start(redis.port())) {
            RespClient before = RespClient.connect(proxy.port());
            assertEquals("PONG", before.callString("PING"));
            assertEquals(1, proxy.activeConnections());

            proxy.cut();
            assertTrue(proxy.isCut());
            assertThrows(UncheckedIOException.class, () -> before.call("PING"), "existing connection survived cut()");
            before.close();
            assertThrows(UncheckedIOException.class, () -> RespClient.connect(proxy.port()),
                    "new connection accepted while cut");
            assertEquals("PONG", RespClient.once(redis.port(), Duration.ofSeconds(1), "PING"), "redis itself is fine");

            proxy.restore();
            try (RespClient after = RespClient.connect(proxy.port())) {
                assertEquals("PONG", after.callString("PING"));
            }
        }
    }

    @Test
    @Timeout(20)
    void blackholeStallsTrafficUntilRestore() {
        try (TcpProxy proxy = TcpProxy.start(redis.port());
                RespClient client = new RespClient("127.0.0.1", proxy.port(), Duration.ofMillis(500))) {
            assertEquals("PONG", client.callString("PING"));
            proxy.blackhole();
            assertThrows(UncheckedIOException.class, () -> client.call("PING"), "reply crossed a blackhole");
            proxy.restore();
            try (RespClient fresh = RespClient.connect(proxy.port())) {
                assertEquals("PONG", fresh.callString("PING"));
            }
        }
    }

    @Test
    void refusesNonLoopbackTargets() {
        // TEST-NET-1 documentation address: never contacted, the check happens before any connect.
        assertThrows(IllegalArgumentException.class, () -> TcpProxy.start(Ports.free(), "192.0.2.1", 6379));
    }

    private static long medianPingMillis(int port) {
        try (RespClient client = RespClient.connect(port)) {
            client.call("PING"); // warm-up: connection setup is not what we measure
            long[] samples = new long[7];
            for (int i = 0; i < samples.length; i++) {
                long start = System.nanoTime();
                assertEquals("PONG", client.callString("PING"));
                samples[i] = (System.nanoTime() - start) / 1_000_000;
            }
            Arrays.sort(samples);
            return samples[samples.length / 2];
        }
    }
}

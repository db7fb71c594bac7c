package dev.streamq.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client that bypasses dead sentinels must reach the master with the configured settings. */
class ConfiguredRedisOptionsTest {

    private static ConfiguredRedisOptions captured(String clientName) {
        ConfiguredRedisOptions captured = new ConfiguredRedisOptions();
        captured.customize(clientName, new RedisOptions().setType(RedisClientType.SENTINEL)
                .setEndpoints(List.of("redis://s1:26379", "redis://s2:26379")).setMasterName("mymaster")
                .setPassword("secret").setMaxPoolSize(32).setMaxPoolWaiting(1024));
        return captured;
    }

    @Test
    void aStandaloneClientAtTheLastMasterKeepsPasswordAndPool() {
        ConfiguredRedisOptions captured = captured("<default>");
        assertTrue(captured.viaSentinels());
        RedisOptions direct = captured.standaloneAt("10.0.0.7:6379");
        assertEquals(RedisClientType.STANDALONE, direct.getType());
        assertEquals(List.of("redis://10.0.0.7:6379"), direct.getEndpoints());
        assertEquals("secret", direct.getPassword());
        assertEquals(32, direct.getMaxPoolSize());
        assertEquals(1024, direct.getMaxPoolWaiting());
    }

    @Test
    void anIpv6AddressIsBracketedInTheUri() {
        ConfiguredRedisOptions captured = captured("<default>");
        assertEquals("redis://[fd00::7]:6379", captured.standaloneAt("fd00::7:6379").getEndpoints().get(0));
        assertEquals("redis://[fd00::7]:6379", captured.standaloneAt("[fd00::7]:6379").getEndpoints().get(0));
    }

    @Test
    void onlyTheDefaultClientIsCaptured() {
        assertFalse(captured("other").viaSentinels());
    }

    @Test
    void theDirectClientKeepsTlsCredentialsAndDatabaseOfTheConfiguredUri() {
        ConfiguredRedisOptions captured = new ConfiguredRedisOptions();
        captured.customize("<default>", new RedisOptions().setType(RedisClientType.SENTINEL)
                .setEndpoints(List.of("rediss://app:s3cr%40t@s1.example:26379/2?timeout=5", "rediss://app:s3cr%40t@s2.example:26379/2")));
        assertEquals("rediss://app:s3cr%40t@10.0.0.7:6379/2?timeout=5", captured.standaloneAt("10.0.0.7:6379").getEndpoints().get(0));
        assertEquals("rediss://app:s3cr%40t@[fd00::7]:6379/2?timeout=5", captured.standaloneAt("fd00::7:6379").getEndpoints().get(0));
        assertEquals("redis://:pw@10.0.0.7:6379", ConfiguredRedisOptions.at("redis://:pw@[fd00::1]:26379", "10.0.0.7:6379"));
    }
}

package dev.streamq.core;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.Await;
import dev.streamq.lab.RespClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Redis at the rediss:// address presents a certificate the configured CA did not sign:
 * one startup ERROR naming the trust-store setting, readiness down, 503s, and nothing reaches
 * Redis by any other way (the server has no plain-text port to fall back to).
 */
@QuarkusTest
@WithTestResource(UntrustedCertificateRedisResource.class)
class UntrustedRedisCertificateTest {

    @Test
    void untrustedCertificateIsAStartupErrorNamingTheTrustStoreAndNeverPlainText() {
        refusedHandshake(UntrustedCertificateRedisResource.appLog, UntrustedCertificateRedisResource.server);
    }

    /** What a failed TLS handshake must look like, whatever made it fail. */
    static void refusedHandshake(Path appLog, TlsRedisServer server) {
        String line = Await.until("the redis_tls_failed startup error", Duration.ofSeconds(15), Duration.ofMillis(100),
                () -> lines(appLog).stream().filter(l -> l.contains("redis_tls_failed")).findFirst().orElse(null));
        assertTrue(line.contains("ERROR"), "an ERROR line: " + line);
        assertTrue(line.contains("quarkus.tls.redis.trust-store.pem.certs"), "names the setting to fix: " + line);
        assertEquals(1, lines(appLog).stream().filter(l -> l.contains("redis_tls_failed")).count(), "said once");
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'redis-master' }.status", equalTo("DOWN"));
        given().contentType(ContentType.JSON).body("{\"type\":\"noop\"}").when().post("/queues/tls/jobs")
                .then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("TLS"));
        // still down a few seconds on: the client keeps refusing, no retry gets through another way
        Await.sleep(Duration.ofSeconds(2));
        given().when().get("/q/health/ready").then().statusCode(503);
        try (RespClient client = server.client()) {
            assertEquals("0", String.valueOf(client.call("CONFIG", "GET", "port")).replaceAll("\\D", ""),
                    "the server has no plain-text port");
            assertEquals(0L, client.call("DBSIZE"), "nothing was written");
        }
    }

    static List<String> lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

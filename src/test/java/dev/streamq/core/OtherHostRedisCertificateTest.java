package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The server's certificate is signed by the trusted CA but names another host: refused like an
 * untrusted one. Nothing in the test's configuration asks for the name check; it is on because
 * streamq's application.properties turns it on (Quarkus' own default checks no names).
 */
@QuarkusTest
@WithTestResource(OtherHostCertificateRedisResource.class)
class OtherHostRedisCertificateTest {

    @Test
    void certificateForAnotherHostIsRefusedByTheShippedNameCheck() {
        UntrustedRedisCertificateTest.refusedHandshake(OtherHostCertificateRedisResource.appLog,
                OtherHostCertificateRedisResource.server);
        assertTrue(UntrustedRedisCertificateTest.lines(OtherHostCertificateRedisResource.appLog).stream()
                .anyMatch(l -> l.contains("redis_tls_failed") && l.contains("No subject alternative names matching IP address 127.0.0.1")),
                "refused by the name check (with no algorithm configured Vert.x would refuse to connect for another reason)");
    }
}

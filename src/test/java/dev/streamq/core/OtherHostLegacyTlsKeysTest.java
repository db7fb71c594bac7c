package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The Redis client's own TLS keys (quarkus.redis.tls.*, no TLS registry) with a certificate for
 * another host: refused too, because streamq ships quarkus.redis.tls.hostname-verification-algorithm=HTTPS
 * over Quarkus' default NONE.
 */
@QuarkusTest
@WithTestResource(OtherHostLegacyTlsKeysResource.class)
class OtherHostLegacyTlsKeysTest {

    @Test
    void theClientsOwnTlsKeysCheckTheNameToo() {
        UntrustedRedisCertificateTest.refusedHandshake(OtherHostCertificateRedisResource.appLog,
                OtherHostCertificateRedisResource.server);
        assertTrue(UntrustedRedisCertificateTest.lines(OtherHostCertificateRedisResource.appLog).stream()
                .anyMatch(l -> l.contains("redis_tls_failed") && l.contains("No subject alternative names matching IP address 127.0.0.1")),
                "refused by the name check, not for want of trust");
    }
}

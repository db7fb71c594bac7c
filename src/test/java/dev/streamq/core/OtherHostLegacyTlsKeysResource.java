package dev.streamq.core;

import java.nio.file.Path;
import java.util.Map;

/**
 * A certificate from the trusted CA for another host, with the CA given through the Redis
 * client's own quarkus.redis.tls.* keys instead of the TLS registry: the other way to configure
 * TLS, whose name check streamq's application.properties also turns on.
 */
public class OtherHostLegacyTlsKeysResource extends OtherHostCertificateRedisResource {

    @Override
    Map<String, String> trust(Path ca) {
        return Map.of("quarkus.redis.tls.trust-certificate-pem.enabled", "true",
                "quarkus.redis.tls.trust-certificate-pem.certs", ca.toString());
    }
}

package dev.streamq.core;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A TLS-only redis-server with certificates made at test start, and the application pointed at
 * it over rediss:// with the Quarkus TLS registry's "redis" configuration trusting the test CA:
 * the set-up docs/managed-redis.md describes. Subclasses choose what the server presents and who
 * may log in; the application's log goes to a file the test reads.
 */
abstract class TlsRedisResource implements QuarkusTestResourceLifecycleManager {

    private TlsRedisServer server;

    /** The certificate the server presents. */
    abstract TestCertificates.Pair presented(TestCertificates certificates);

    /** Further redis.conf lines (the default: none). */
    List<String> settings() {
        return List.of();
    }

    /** Changes once the server runs (the default: none). */
    void afterStart(TlsRedisServer server) {
    }

    /** quarkus.redis.hosts for the application (the default: no user, no password). */
    String hosts(TlsRedisServer server) {
        return server.uri(null, null);
    }

    /**
     * How the application is told to trust the CA: as shipped docs/managed-redis.md says, the
     * TLS registry's "redis" configuration. The hostname check comes from the shipped
     * application.properties, not from here.
     */
    Map<String, String> trust(Path ca) {
        return Map.of("quarkus.redis.tls-configuration-name", "redis", "quarkus.tls.redis.trust-store.pem.certs", ca.toString());
    }

    /** Further application configuration (the default: none). */
    Map<String, String> more() {
        return Map.of();
    }

    /** Keeps the server and the application's log for the test class. */
    abstract void started(TlsRedisServer server, Path appLog);

    @Override
    public Map<String, String> start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("streamq-" + getClass().getSimpleName() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates certificates = TestCertificates.in(dir);
        server = TlsRedisServer.start(dir.resolve("redis"), certificates, presented(certificates), settings());
        afterStart(server);
        Path appLog = dir.resolve("app.log");
        started(server, appLog);
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.redis.hosts", hosts(server));
        config.putAll(trust(certificates.ca()));
        config.put("quarkus.log.file.enabled", "true");
        config.put("quarkus.log.file.path", appLog.toString());
        config.putAll(more());
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}

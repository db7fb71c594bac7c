package dev.streamq.core;

import java.nio.file.Path;

/**
 * A TLS-only Redis presenting a certificate the trusted CA signed, but for redis.example.com
 * only, while the application connects to 127.0.0.1: the chain checks out, the name does not.
 */
public class OtherHostCertificateRedisResource extends TlsRedisResource {

    static volatile TlsRedisServer server;
    static volatile Path appLog;

    @Override
    TestCertificates.Pair presented(TestCertificates certificates) {
        return certificates.otherHost();
    }

    @Override
    void started(TlsRedisServer started, Path log) {
        server = started;
        appLog = log;
    }
}

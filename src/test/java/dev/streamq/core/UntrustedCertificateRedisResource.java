package dev.streamq.core;

import java.nio.file.Path;

/** A TLS-only Redis presenting a self-signed certificate: the right names, but the application's CA did not sign it. */
public class UntrustedCertificateRedisResource extends TlsRedisResource {

    static volatile TlsRedisServer server;
    static volatile Path appLog;

    @Override
    TestCertificates.Pair presented(TestCertificates certificates) {
        return certificates.selfSigned();
    }

    @Override
    void started(TlsRedisServer started, Path log) {
        server = started;
        appLog = log;
    }
}

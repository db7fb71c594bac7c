package dev.streamq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.redis.RedisErrorKind;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Failover symptoms are transient (retried); everything else is not. */
class RedisErrorKindTest {

    @Test
    void failoverErrorsAreTransientEvenInsideABatchReply() {
        assertEquals(RedisErrorKind.READONLY, RedisErrorKind.of(new RuntimeException("READONLY You can't write against a read only replica.")));
        assertEquals(RedisErrorKind.READONLY, RedisErrorKind.of(new RuntimeException("ERR [0] READONLY You can't write")));
        assertEquals(RedisErrorKind.NOREPLICAS, RedisErrorKind.of(new RuntimeException("NOREPLICAS Not enough good replicas to write.")));
        assertEquals(RedisErrorKind.LOADING, RedisErrorKind.of(new RuntimeException("LOADING Redis is loading the dataset in memory")));
        assertEquals(RedisErrorKind.CONNECTION, RedisErrorKind.of(new RuntimeException("wrapped", new ConnectException("Connection refused"))));
        assertEquals(RedisErrorKind.TIMEOUT, RedisErrorKind.of(new TimeoutException()));
        assertTrue(RedisErrorKind.READONLY.isTransient());
        // what a worker's blocked read gets when its master is demoted, before any READONLY
        assertEquals(RedisErrorKind.READONLY, RedisErrorKind.of(new RuntimeException(
                "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")));
        IllegalStateException pool = new IllegalStateException("Attempt to recycle more than permitted");
        pool.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("io.vertx.core.net.impl.pool.SimpleConnectionPool", "recycle", null, 1) });
        assertEquals(RedisErrorKind.CONNECTION, RedisErrorKind.of(pool), "a client-side pool failure is retried");
    }

    @Test
    void scriptAndDataErrorsAreNotRetried() {
        RedisErrorKind kind = RedisErrorKind.of(new RuntimeException("ERR Error running script: attempt to compare nil"));
        assertEquals(RedisErrorKind.OTHER, kind);
        assertFalse(kind.isTransient());
        assertEquals(RedisErrorKind.OTHER, RedisErrorKind.of(new IllegalStateException("a bug of ours")), "not from the client");
    }

    @Test
    void refusalsAreUnavailableButNotRetried() {
        RedisErrorKind oom = RedisErrorKind.of(new RuntimeException("ERR [0] OOM command not allowed when used memory > 'maxmemory'."));
        assertEquals(RedisErrorKind.OUT_OF_MEMORY, oom);
        assertTrue(oom.isUnavailable());
        assertFalse(oom.isTransient());
        RedisErrorKind auth = RedisErrorKind.of(new RuntimeException("Cannot connect to any of the provided endpoints",
                new RuntimeException("WRONGPASS invalid username-password pair or user is disabled.")));
        assertEquals(RedisErrorKind.AUTH, auth, "the refusal inside a connection error");
        assertFalse(auth.isTransient());
        assertEquals(RedisErrorKind.AUTH, RedisErrorKind.of(new RuntimeException("NOAUTH HELLO must be called with the client already authenticated")));
        assertEquals(RedisErrorKind.AUTH, RedisErrorKind.of(new RuntimeException("ERR Protocol error: unauthenticated multibulk length")));
        assertFalse(RedisErrorKind.OTHER.isUnavailable());
    }

    @Test
    void untrustedCertificatesAreTlsRefusalsButAResetHandshakeIsAConnectionError() {
        SSLHandshakeException pkix = new SSLHandshakeException("PKIX path building failed: unable to find valid certification path");
        pkix.initCause(new CertPathBuilderException("unable to find valid certification path to requested target"));
        RedisErrorKind tls = RedisErrorKind.of(new RuntimeException("Failed to create SSL connection", pkix));
        assertEquals(RedisErrorKind.TLS, tls);
        assertTrue(tls.isUnavailable());
        assertFalse(tls.isTransient(), "a certificate does not become trusted by retrying");
        assertEquals(pkix.getMessage(), RedisErrorKind.tlsReason(new RuntimeException("Failed to create SSL connection", pkix)));
        assertEquals(RedisErrorKind.TLS, RedisErrorKind.of(new RuntimeException("wrapped",
                new CertificateException("No subject alternative names matching IP address 127.0.0.1 found"))));
        assertEquals(RedisErrorKind.CONNECTION, RedisErrorKind.of(new SSLHandshakeException("Remote host terminated the handshake")));
        assertEquals(RedisErrorKind.TLS, RedisErrorKind.of(new RuntimeException(
                "Missing hostname verification algorithm: you must set TCP client options host name verification algorithm")),
                "a TLS client with no name check configured is a TLS configuration error, not a bug");
    }
}

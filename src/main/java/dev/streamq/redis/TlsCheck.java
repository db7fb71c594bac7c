package dev.streamq.redis;

import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import org.jboss.logging.Logger;

/**
 * Says at startup, in one ERROR line naming the setting to fix, when the TLS handshake with
 * Redis fails for want of trust (docs/managed-redis.md): the server's certificate is signed by
 * no CA this service trusts or names another host. The
 * client never retries in plain text; the service keeps running, not ready and answering 503,
 * as for refused credentials. {@link CredentialsCheck}'s one start-up PING finds it.
 */
final class TlsCheck {

    private static final Logger LOG = Logger.getLogger(TlsCheck.class);
    /** Where the CA that signed the server's certificate is configured. */
    public static final String SETTING = "quarkus.tls.redis.trust-store.pem.certs (env QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS, "
            + "used with quarkus.redis.tls-configuration-name=redis)";

    /** The name check of the server's certificate, which Vert.x will not connect without. */
    static final String NAME_CHECK = "quarkus.tls.redis.hostname-verification-algorithm=HTTPS";

    private TlsCheck() {
    }

    /** The ERROR line for a start-up probe that failed with {@link RedisErrorKind#TLS}. */
    static void report(Throwable failure) {
        String reason = RedisErrorKind.tlsReason(failure);
        // Vert.x connects with no algorithm at all never, and with an unknown one (NONE via the TLS registry) neither
        String fix = reason.startsWith("Missing hostname verification algorithm") || reason.startsWith("Unknown identification algorithm")
                ? "set " + NAME_CHECK + " (streamq's application.properties ships it; something overrode it)"
                : "set " + SETTING + " to the CA that signed the server's certificate, and make quarkus.redis.hosts"
                        + " name a host that certificate is for";
        EventLog.of(Event.REDIS_TLS_FAILED).error(reason).log(LOG, "redis_tls_failed: the TLS handshake with Redis failed ("
                + reason + "); " + fix + ". The service stays up but not ready until the handshake succeeds.");
    }
}

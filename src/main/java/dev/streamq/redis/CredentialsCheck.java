package dev.streamq.redis;

import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Says at startup, in one ERROR line naming the setting to fix, when Redis refuses this
 * service's credentials (NOAUTH: a password is needed; WRONGPASS: it is wrong). The service
 * keeps running, not ready (readiness names the setting too) and answering 503, so that it
 * recovers by itself once the secret is fixed instead of crash-looping. The same one PING finds
 * a TLS handshake that fails for want of trust ({@link TlsCheck} words that line). Any other
 * failure is left to readiness and the master watch.
 */
@ApplicationScoped
public class CredentialsCheck {

    private static final Logger LOG = Logger.getLogger(CredentialsCheck.class);
    /** The keys that carry the credentials: a password property of its own, or the user-info part of each host URI. */
    public static final String SETTING = "quarkus.redis.password (env QUARKUS_REDIS_PASSWORD) or the user and password in"
            + " quarkus.redis.hosts (redis[s]://user:password@host:port, an ACL user: docs/managed-redis.md)";

    private final RedisRoute route;

    CredentialsCheck(RedisRoute route) {
        this.route = route;
    }

    void onStart(@Observes StartupEvent event) {
        route.send(Request.cmd(Command.PING)).subscribe().with(pong -> { }, failure -> {
            RedisErrorKind kind = RedisErrorKind.of(failure);
            if (kind == RedisErrorKind.TLS) {
                TlsCheck.report(failure);
            } else if (kind == RedisErrorKind.AUTH) {
                EventLog.of(Event.REDIS_AUTH_FAILED).error(failure.getMessage()).log(LOG,
                        "redis_auth_failed: Redis refuses this service's credentials (" + failure.getMessage() + "); set "
                                + SETTING + ". The service stays up but not ready until Redis accepts them.");
            }
        });
    }
}

package dev.streamq.auth;

import dev.streamq.config.StreamqConfig;
import dev.streamq.queue.QueueName;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Which queues a caller may touch: the token's {@code queues} claim lists queue names, or
 * prefixes ending in {@code *} ({@code "orders-*"}); a token without the claim may touch
 * every queue. So one deployment can give each team a token for its own queues.
 */
@ApplicationScoped
public class QueueScope {

    /** The JWT claim that narrows a token to some queues. */
    public static final String CLAIM = "queues";

    private final boolean enabled;

    QueueScope(StreamqConfig config) {
        this.enabled = config.auth().enabled();
    }

    public boolean allows(SecurityIdentity caller, QueueName queue) {
        if (!enabled || !(caller.getPrincipal() instanceof JsonWebToken token) || !token.containsClaim(CLAIM)) {
            return true;
        }
        return patterns(token).stream().anyMatch(p -> p.endsWith("*")
                ? queue.value().startsWith(p.substring(0, p.length() - 1))
                : queue.value().equals(p));
    }

    /** 403 unless the caller may touch {@code queue}. */
    public void require(SecurityIdentity caller, QueueName queue) {
        if (!allows(caller, queue)) {
            throw new ForbiddenException("this token does not cover queue '" + queue.value() + "'");
        }
    }

    private static List<String> patterns(JsonWebToken token) {
        Object claim = token.getClaim(CLAIM);
        if (claim instanceof Collection<?> values) {
            return values.stream().map(v -> v.toString().replace("\"", "")).toList();
        }
        return List.of(String.valueOf(claim).replace("\"", ""));
    }
}

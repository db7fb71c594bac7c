package dev.streamq.auth;

import dev.streamq.config.StreamqConfig;
import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * An API process with authentication on must know how to verify tokens: without a key every
 * request would be refused, so it refuses to start and names the keys to set. Turning
 * authentication off is loud, because it is never the default.
 */
@ApplicationScoped
public class VerificationKeyCheck {

    private static final Logger LOG = Logger.getLogger(VerificationKeyCheck.class);
    static final String KEY = "mp.jwt.verify.publickey";
    static final String KEY_LOCATION = "mp.jwt.verify.publickey.location";

    void onStart(@Observes StartupEvent event, StreamqConfig config) {
        if (!config.role().servesApi()) {
            return;
        }
        if (!config.auth().enabled()) {
            EventLog.of(Event.API_AUTH_OFF)
                    .log(LOG, "streamq.auth.enabled=false: the job API accepts every caller without a token (dev, tests, the lab only)");
            return;
        }
        if (value(KEY).isEmpty() && value(KEY_LOCATION).isEmpty()) {
            throw new IllegalStateException("authentication is on (streamq.auth.enabled) but no token verification key is set: "
                    + "set " + KEY_LOCATION + " (env MP_JWT_VERIFY_PUBLICKEY_LOCATION) to the issuer's public key, or "
                    + KEY + "; see docs/operations.md");
        }
    }

    private static Optional<String> value(String key) {
        return ConfigProvider.getConfig().getOptionalValue(key, String.class).filter(v -> !v.isBlank());
    }
}

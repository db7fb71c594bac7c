package dev.streamq.auth;

import dev.streamq.config.StreamqConfig;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * With {@code streamq.auth.enabled=false} (dev, tests, the lab: never the default) every caller,
 * token or not, gets every role, so the same {@code @RolesAllowed} endpoints serve without
 * credentials. With authentication on this changes nothing.
 */
@ApplicationScoped
public class AuthOff implements SecurityIdentityAugmentor {

    private final boolean enabled;

    AuthOff(StreamqConfig config) {
        this.enabled = config.auth().enabled();
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (enabled) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).setAnonymous(false)
                .addRoles(Roles.ALL).build());
    }
}

package dev.streamq.api;

import dev.streamq.config.StreamqConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** A worker-only process serves health and metrics but not the job API, so it cannot be used as a producer endpoint by mistake. */
public class RoleFilter {

    private final StreamqConfig config;

    RoleFilter(StreamqConfig config) {
        this.config = config;
    }

    @ServerRequestFilter
    public Response apiOnlyInApiRole(ContainerRequestContext request) {
        if (config.role().servesApi()) {
            return null;
        }
        return ProblemMappers.respond(404, "this process runs with streamq.role=worker and serves no job API", null,
                request.getUriInfo());
    }
}

package dev.streamq.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** 401 and 403 as problem details, with the challenge a bearer-token client expects. */
public class SecurityProblems {

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return challenge("a bearer token is required", uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return challenge("the bearer token is invalid or expired", uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        String detail = e.getMessage() == null || e.getMessage().isBlank()
                ? "this token's roles do not allow this request"
                : e.getMessage();
        return ProblemMappers.respond(403, detail, null, uri);
    }

    private static Response challenge(String detail, UriInfo uri) {
        return Response.fromResponse(ProblemMappers.respond(401, detail, null, uri))
                .header("WWW-Authenticate", "Bearer realm=\"streamq\"").build();
    }
}

package dev.streamq.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.streamq.queue.NotDurableException;
import dev.streamq.redis.RedisUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error the API returns is a problem details body; none carries a stack trace. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Clients should come back after about one Sentinel promotion, not hammer a failing master. */
    static final String RETRY_AFTER_SECONDS = "1";

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(e.status(), e.getMessage(), e.field(), uri);
    }

    @ServerExceptionMapper
    public Response redisUnavailable(RedisUnavailableException e, UriInfo uri) {
        return unavailable("Redis is unavailable (" + e.kind().label() + "); retry with the same Idempotency-Key", uri);
    }

    @ServerExceptionMapper
    public Response notDurable(NotDurableException e, UriInfo uri) {
        return unavailable(e.getMessage() + "; retry with the same Idempotency-Key", uri);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        String field = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? m.getPathReference().replaceAll(".*\\[\"?|\"?\\]", "")
                : null;
        return respond(400, "malformed JSON: " + e.getOriginalMessage(), field, uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return badJson(json, uri);
        }
        return respond(e.getResponse().getStatus(), e.getMessage(), null, uri);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        LOG.errorf(e, "unexpected failure on %s", uri.getPath());
        return respond(500, "internal error; the request may be retried", null, uri);
    }

    private static Response unavailable(String detail, UriInfo uri) {
        return Response.fromResponse(respond(503, detail, null, uri)).header("Retry-After", RETRY_AFTER_SECONDS).build();
    }

    static Response respond(int status, String detail, String field, UriInfo uri) {
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = switch (status) {
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            default -> known != null ? known.getReasonPhrase() : "Error";
        };
        Problem body = new Problem("about:blank", title, status, detail, uri == null ? null : uri.getPath(), field);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(body).build();
    }
}

package dev.streamq.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.streamq.log.Event;
import dev.streamq.log.EventLog;
import dev.streamq.queue.NotDurableException;
import dev.streamq.queue.QueueLimitException;
import dev.streamq.redis.RedisUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error the API returns is a problem details body; none carries a stack trace. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** Clients should come back after about one Sentinel promotion, not hammer a failing master. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final RefusedRequests refused;

    ProblemMappers(RefusedRequests refused) {
        this.refused = refused;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(e.status(), e.getMessage(), e.field(), uri);
    }

    @ServerExceptionMapper
    public Response redisUnavailable(RedisUnavailableException e, UriInfo uri) {
        String why = switch (e.kind()) {
            case OUT_OF_MEMORY -> "Redis is out of memory and refuses writes";
            case AUTH -> "Redis refuses this service's credentials (quarkus.redis.password)";
            case TLS -> "the TLS handshake with Redis failed (quarkus.tls.redis.trust-store.pem.certs)";
            default -> "Redis is unavailable (" + e.kind().label() + ")";
        };
        refused.refused(e.kind().label());
        return unavailable(why + "; retry with the same Idempotency-Key", uri);
    }

    /** A new queue over the deployment's cap: 409, the queue set is full; nothing was written. */
    @ServerExceptionMapper
    public Response queueLimit(QueueLimitException e, UriInfo uri) {
        return respond(409, e.getMessage(), "queue", uri);
    }

    @ServerExceptionMapper
    public Response notDurable(NotDurableException e, UriInfo uri) {
        refused.refused(RefusedRequests.NOT_DURABLE);
        return unavailable(e.getMessage() + "; retry with the same Idempotency-Key", uri);
    }

    /**
     * A body Jackson could not bind (a string where a number belongs, an object for a string...).
     * Mapped by its own type: Quarkus' built-in mapper for MismatchedInputException (400, empty
     * body) would otherwise win over a mapper of the wider JsonProcessingException.
     */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
        String field = fieldOf(e.getPath());
        return respond(400, field == null ? "the body does not match the expected JSON shape: " + e.getOriginalMessage()
                : field + " has the wrong JSON type: " + e.getOriginalMessage(), field == null ? "body" : field, uri);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        if (e instanceof MismatchedInputException mismatch) {
            return mismatchedJson(mismatch, uri);
        }
        return respond(400, "malformed JSON: " + e.getOriginalMessage(), "body", uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return badJson(json, uri);
        }
        return respond(e.getResponse().getStatus(), e.getMessage(), null, uri);
    }

    /** Anything else, including a Redis error reply (a Throwable that is no RuntimeException): a problem, no stack trace. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        EventLog.of(Event.API_REQUEST_FAILED).error(String.valueOf(e.getMessage()))
                .log(LOG, "unexpected failure on " + uri.getPath(), e);
        return respond(500, "internal error; the request may be retried", null, uri);
    }

    /** The path Jackson reports as the request's own field name: {@code jobs[1].maxAttempts}. */
    static String fieldOf(List<JsonMappingException.Reference> path) {
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference step : path) {
            if (step.getFieldName() != null) {
                field.append(field.length() == 0 ? "" : ".").append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                field.append('[').append(step.getIndex()).append(']');
            }
        }
        return field.length() == 0 ? null : field.toString();
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

package dev.streamq.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.config.StreamqConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a request whose URI or declared body is over the limit with a problem body, before
 * Quarkus' own check answers the same 413 with an empty one. The body limit is Quarkus'
 * {@code quarkus.http.limits.max-body-size}; the URI limit is {@code streamq.api.max-uri-length},
 * below Vert.x's {@code quarkus.http.limits.max-initial-line-length}, because a request line
 * past Vert.x's limit is answered (empty 414) before any handler sees it.
 */
@ApplicationScoped
public class RequestLimits {

    /** Before Quarkus' own upload limit, and before {@link BodyAdmission} counts the body. */
    static final int ORDER = RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 2;

    private final long maxBodyBytes;
    private final int maxUriLength;
    private final ObjectMapper json;

    RequestLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody, StreamqConfig config,
            ObjectMapper json) {
        this.maxBodyBytes = maxBody.asLongValue();
        this.maxUriLength = config.api().maxUriLength();
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext context) {
        if (context.request().uri().length() > maxUriLength) {
            refuse(context, 414, "URI Too Long", "the request URI is longer than " + maxUriLength + " characters");
            return;
        }
        if (declaredLength(context.request()) > maxBodyBytes) {
            refuse(context, 413, "Content Too Large", "the body is larger than " + maxBodyBytes + " bytes");
            return;
        }
        context.next();
    }

    /**
     * The request's Content-Length; -1 without one, or with one that is not a number (Vert.x
     * refuses a malformed Content-Length itself, before any route).
     */
    static long declaredLength(HttpServerRequest request) {
        String declared = request.getHeader(HttpHeaderNames.CONTENT_LENGTH);
        if (declared == null) {
            return -1;
        }
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void refuse(RoutingContext context, int status, String title, String detail) {
        EarlyProblem.answerAndStop(context, json, status, title, detail, null);
    }
}

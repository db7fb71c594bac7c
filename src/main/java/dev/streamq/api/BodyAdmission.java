package dev.streamq.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.config.StreamqConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Lets a request body in only when the heap and the clock can afford it. Parsing a batch and
 * encoding its script call holds several times the body's size (measured: one 16 MB batch ran
 * -Xmx96m out of heap, three 32 MB ones at once as well), so the bytes of the bodies in flight
 * are capped by {@code streamq.api.body-budget}: past it, a 503 + Retry-After before a byte of
 * the body is parsed (the rest is read into nothing), nothing written. And Quarkus REST reads a body with no deadline of its own,
 * so a sender that trickles one would hold its share of the budget until the idle timeout:
 * a body not in after {@code streamq.api.body-timeout} gets a 408 and its connection closes.
 */
@ApplicationScoped
public class BodyAdmission {

    private final long budget;
    private final long maxBody;
    private final Duration timeout;
    private final AtomicLong inFlight = new AtomicLong();
    private final Vertx vertx;
    private final RefusedRequests refused;
    private final ObjectMapper json;

    BodyAdmission(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody, StreamqConfig config,
            Vertx vertx, RefusedRequests refused, ObjectMapper json) {
        this.budget = config.api().bodyBudget().asLongValue();
        this.maxBody = maxBody.asLongValue();
        if (budget < this.maxBody) {
            throw new IllegalArgumentException("streamq.api.body-budget (" + budget + " bytes) is below quarkus.http.limits.max-body-size ("
                    + this.maxBody + "): the largest body allowed could never be admitted");
        }
        this.timeout = config.api().bodyTimeout();
        this.vertx = vertx;
        this.refused = refused;
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(RequestLimits.ORDER + 1).handler(this::admit);
    }

    private void admit(RoutingContext context) {
        long cost = declaredBytes(context.request());
        if (cost == 0) {
            context.next();
            return;
        }
        long deadline = vertx.setTimer(timeout.toMillis(), fired -> overdue(context));
        if (take(cost)) {
            context.addEndHandler(done -> {
                vertx.cancelTimer(deadline);
                inFlight.addAndGet(-cost);
            });
            context.next();
            return;
        }
        refused.refused(RefusedRequests.OVERLOADED);
        // The rest of the body is read into nothing (no memory) until it ends or the deadline
        // closes the connection: the deadline lasts past this answer, to the body's end.
        EarlyProblem.answerAndDiscardBody(context, json, 503, "Service Unavailable", "the API is reading as many request bodies as its memory allows ("
                + budget + " bytes); retry, with the same Idempotency-Key", ProblemMappers.RETRY_AFTER_SECONDS,
                () -> vertx.cancelTimer(deadline));
    }

    /** Content-Length; a chunked body may grow to the body limit; neither: no body. */
    private long declaredBytes(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Math.max(0, Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                return maxBody; // Vert.x refuses a malformed Content-Length itself; count it at the worst meanwhile
            }
        }
        return request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) ? maxBody : 0;
    }

    private boolean take(long cost) {
        while (true) {
            long now = inFlight.get();
            if (now + cost > budget) {
                return false;
            }
            if (inFlight.compareAndSet(now, now + cost)) {
                return true;
            }
        }
    }

    /** On the request's own event loop (the timer was set there): no race with its handlers. */
    private void overdue(RoutingContext context) {
        if (context.request().isEnded()) {
            return; // the whole body came; the job is being written, on its own deadlines
        }
        if (context.response().headWritten()) { // answered already (503), still sending: enough
            context.request().connection().close();
            return;
        }
        EarlyProblem.answerAndClose(context, json, 408, "Request Timeout", "the request body did not arrive within " + timeout.toSeconds() + " s", null);
    }
}

package dev.streamq.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamq.config.StreamqConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Lets a request body in only when the heap and the clock can afford it. Parsing a batch and
 * encoding its script call holds several times the body's size (measured: one 16 MB batch ran
 * -Xmx96m out of heap, three 32 MB ones at once as well), so the bytes of the bodies in flight
 * are capped by {@code streamq.api.body-budget}: past it, a 503 + Retry-After before a byte of
 * the body is parsed (the rest is read into nothing), nothing written. And Quarkus REST reads a
 * body with no deadline of its own, so a sender that trickles one would hold its share of the
 * budget until the idle timeout: a body not in after {@code streamq.api.body-timeout} gets a 408.
 *
 * <p>A body is counted at its Content-Length, which RequestLimits has held to max-body-size. A
 * body without one gets 411 Length Required: an HTTP/1.1 chunked body, or an HTTP/2 POST, PUT or
 * PATCH without content-length. Past the limit Quarkus would answer such a body an empty 413,
 * log two errors and replace the response's end handler, which gives the budget back.
 */
@ApplicationScoped
public class BodyAdmission {

    private final long budget;
    private final Duration timeout;
    private final AtomicLong inFlight = new AtomicLong();
    private final Vertx vertx;
    private final RefusedRequests refused;
    private final ObjectMapper json;

    BodyAdmission(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody, StreamqConfig config,
            Vertx vertx, RefusedRequests refused, ObjectMapper json) {
        this.budget = config.api().bodyBudget().asLongValue();
        if (budget < maxBody.asLongValue()) {
            throw new IllegalArgumentException("streamq.api.body-budget (" + budget + " bytes) is below quarkus.http.limits.max-body-size ("
                    + maxBody.asLongValue() + "): the largest body allowed could never be admitted");
        }
        this.timeout = config.api().bodyTimeout();
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("streamq.api.body-timeout (" + timeout + ") must be at least 1 ms: Vert.x timers cannot be shorter");
        }
        this.vertx = vertx;
        this.refused = refused;
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(RequestLimits.ORDER + 1).handler(this::admit);
    }

    private void admit(RoutingContext context) {
        HttpServerRequest request = context.request();
        long declared = RequestLimits.declaredLength(request);
        if (request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) || (declared < 0 && mayStreamABody(request))) {
            refuse(context, 411, "Length Required", "send the body with a Content-Length (0 for none): the API admits a body by its size"
                    + " before it reads it", null);
            return;
        }
        long cost = Math.max(0, declared); // HTTP/1.1 without Content-Length or Transfer-Encoding has no body
        if (cost == 0) {
            context.next();
            return;
        }
        if (take(cost)) {
            Admission admission = new Admission(context, cost);
            context.addEndHandler(done -> admission.release());
            context.next();
            return;
        }
        refused.refused(RefusedRequests.OVERLOADED);
        refuse(context, 503, "Service Unavailable", "the API is reading as many request bodies as its memory allows (" + budget
                + " bytes); retry, with the same Idempotency-Key", ProblemMappers.RETRY_AFTER_SECONDS);
    }

    /**
     * Answers, and reads the rest of the body into nothing (no memory) until it ends, breaks
     * off, or the deadline stops it: the deadline lasts past the answer, to the body's end.
     */
    private void refuse(RoutingContext context, int status, String title, String detail, String retryAfterSeconds) {
        long deadline = vertx.setTimer(timeout.toMillis(), fired -> {
            if (!context.request().isEnded()) {
                EarlyProblem.stop(context);
            }
        });
        EarlyProblem.answerAndDiscardBody(context, json, status, title, detail, retryAfterSeconds, () -> vertx.cancelTimer(deadline));
    }

    /**
     * An HTTP/2 request may send a body without content-length, and one without a body looks
     * the same when its headers arrive. Counted at max-body-size, such requests ran 2 at a time
     * (measured: 923 of 1,000 small submits at 20 streams refused), and past the limit they meet
     * Quarkus' own empty 413 and its two error lines; so a 411 tells the client what to send.
     */
    private static boolean mayStreamABody(HttpServerRequest request) {
        HttpMethod method = request.method();
        return request.version() == HttpVersion.HTTP_2 && (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH);
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

    /**
     * One admitted body's share of the budget, given back once: by the routing context's end
     * handler or, should something replace it (a response end handler set directly, as Quarkus'
     * own 413 does), by the deadline finding the response ended.
     */
    private final class Admission {

        private final RoutingContext context;
        private final long cost;
        private final AtomicBoolean released = new AtomicBoolean();
        private long timer;

        Admission(RoutingContext context, long cost) {
            this.context = context;
            this.cost = cost;
            arm();
        }

        private void arm() {
            timer = vertx.setTimer(timeout.toMillis(), fired -> atDeadline());
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                inFlight.addAndGet(-cost);
            }
        }

        /** On the request's own event loop (the timer was set there): no race with its handlers. */
        private void atDeadline() {
            HttpServerResponse response = context.response();
            if (released.get()) {
                return;
            }
            if (response.ended() || response.closed()) {
                release();
            } else if (context.request().isEnded()) {
                arm(); // the body is in and its job being written, on its own deadlines
            } else if (response.headWritten()) {
                release();
                EarlyProblem.stop(context);
            } else {
                release();
                EarlyProblem.answerAndStop(context, json, 408, "Request Timeout",
                        "the request body did not arrive within " + timeout.toMillis() + " ms", null);
            }
        }
    }
}

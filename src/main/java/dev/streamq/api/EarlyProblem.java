package dev.streamq.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/** A problem answered by a route handler, before Quarkus REST reads the body. */
final class EarlyProblem {

    /** RST_STREAM NO_ERROR: after a complete answer, "stop sending the body" (RFC 9113 section 8.1). */
    private static final long NO_ERROR = 0;

    private EarlyProblem() {
    }

    /**
     * Answers, then stops the request's body: the client may still be sending one nobody will
     * read, which must not be parsed as its next request. On HTTP/1.1 that closes the connection
     * (Connection: close); on HTTP/2 it resets this stream only, the connection's other streams go
     * on (and Connection is a header HTTP/2 forbids). {@code retryAfterSeconds} null: no
     * Retry-After (the client must change the request, not wait).
     */
    static void answerAndStop(RoutingContext context, ObjectMapper json, int status, String title, String detail, String retryAfterSeconds) {
        if (!isHttp2(context)) {
            context.response().putHeader(HttpHeaderNames.CONNECTION, "close");
        }
        // end's future, not response.endHandler: that one would replace the routing context's
        // own, and with it every end handler added to the context
        answer(context, json, status, title, detail, retryAfterSeconds).onComplete(done -> stop(context));
    }

    /**
     * Answers and reads the rest of the body into nothing, so the connection stays usable and a
     * client that sends its whole body before it reads (most do, without Expect: 100-continue)
     * gets this answer, not a broken pipe. {@code atBodyEnd} runs once the body ended or broke off.
     */
    static void answerAndDiscardBody(RoutingContext context, ObjectMapper json, int status, String title, String detail, String retryAfterSeconds,
            Runnable atBodyEnd) {
        context.request().handler(ignored -> { }).endHandler(ended -> atBodyEnd.run()).exceptionHandler(broken -> atBodyEnd.run()).resume();
        answer(context, json, status, title, detail, retryAfterSeconds);
    }

    /** Stops a request that was answered: its connection on HTTP/1.1, its stream on HTTP/2. */
    static void stop(RoutingContext context) {
        if (isHttp2(context)) {
            context.response().reset(NO_ERROR);
        } else {
            context.request().connection().close();
        }
    }

    private static boolean isHttp2(RoutingContext context) {
        return context.request().version() == HttpVersion.HTTP_2;
    }

    private static Future<Void> answer(RoutingContext context, ObjectMapper json, int status, String title, String detail, String retryAfterSeconds) {
        String body;
        try {
            body = json.writeValueAsString(new Problem("about:blank", title, status, detail, null, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpServerResponse response = context.response().setStatusCode(status).putHeader(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (retryAfterSeconds != null) {
            response.putHeader(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        return response.end(body);
    }
}

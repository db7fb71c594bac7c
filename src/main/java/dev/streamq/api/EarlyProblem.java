package dev.streamq.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** A problem answered by a route handler, before Quarkus REST reads the body. */
final class EarlyProblem {

    private EarlyProblem() {
    }

    /**
     * Answers, then closes the connection: the client may still be sending a body nobody will
     * read, which must not be parsed as its next request. {@code retryAfterSeconds} null: no
     * Retry-After (the client must change the request, not wait).
     */
    static void answerAndClose(RoutingContext context, ObjectMapper json, int status, String title, String detail, String retryAfterSeconds) {
        HttpServerResponse response = context.response().putHeader(HttpHeaderNames.CONNECTION, "close");
        // end's future, not response.endHandler: that one would replace the routing context's
        // own, and with it every end handler added to the context (BodyAdmission's release)
        answer(context, json, status, title, detail, retryAfterSeconds).onComplete(done -> context.request().connection().close());
    }

    /**
     * Answers and reads the rest of the body into nothing, so the connection stays usable and a
     * client that sends its whole body before it reads (most do, without Expect: 100-continue)
     * gets this answer, not a broken pipe.
     */
    static void answerAndDiscardBody(RoutingContext context, ObjectMapper json, int status, String title, String detail, String retryAfterSeconds,
            Runnable atBodyEnd) {
        context.request().handler(ignored -> { }).endHandler(ended -> atBodyEnd.run()).resume();
        answer(context, json, status, title, detail, retryAfterSeconds);
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

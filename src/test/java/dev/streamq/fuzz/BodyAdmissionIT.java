package dev.streamq.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamq.lab.RespClient;
import dev.streamq.lab.ServiceProcess;
import dev.streamq.lab.Topology;
import dev.streamq.lab.bench.JvmOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies the packaged API, under the JVM options the deployment ships (-Xmx96m), must survive:
 * many of the largest batches at once (before dev.streamq.api.BodyAdmission one 16 MB batch ran
 * it out of heap and the process exited), and senders that trickle a body or give up on it half
 * way, who must get their 408 and hand their share of the body budget back.
 */
class BodyAdmissionIT {

    /** Shipped limits: quarkus.http.limits.max-body-size=4M, streamq.api.body-budget=8M. */
    private static final long MAX_BODY = 4L << 20;
    private static final long BUDGET = 8L << 20;
    private static final int JOBS_PER_BATCH = 1_000;
    private static final String BATCH = "/queues/slow/jobs/batch";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(240)
    void theLargestBatchesAllAtOnceFitTheShippedHeap() throws Exception {
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"));
                ServiceProcess api = service(topology, Map.of()).start().awaitReady(Duration.ofSeconds(60))) {
            byte[] batch = largestBatch();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            Map<Integer, Integer> byStatus = new TreeMap<>();
            List<String> wrong = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/queues/large/jobs/batch"))
                            .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(batch)).build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> future : answers) {
                    HttpResponse<String> answer = future.get();
                    byStatus.merge(answer.statusCode(), 1, Integer::sum);
                    if (answer.statusCode() == 503) {
                        if (!answer.headers().firstValue("Retry-After").isPresent()
                                || !answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
                            wrong.add("503 without Retry-After or problem body: " + answer.headers().map());
                        }
                    } else if (answer.statusCode() != 202) {
                        wrong.add(answer.statusCode() + ": " + answer.body());
                    }
                }
            }
            System.out.println("12 batches of " + batch.length + " bytes at once, 3 rounds: " + byStatus + ", peak RSS " + api.peakRssKb() + " kB");
            assertTrue(wrong.isEmpty(), String.join("\n", wrong));
            assertAlive(api);
            int accepted = byStatus.getOrDefault(202, 0);
            assertTrue(accepted >= 3, "the budget lets batches through, one round after another: " + byStatus);
            assertTrue(byStatus.getOrDefault(503, 0) > 0, "12 batches of 4 MB at once are over an 8 MB budget: " + byStatus);
            try (RespClient redis = topology.currentMaster().client()) {
                assertEquals((long) accepted * JOBS_PER_BATCH, redis.callLong("XLEN", "streamq:{large}:ready"),
                        "every accepted batch is whole in Redis, no refused one left a job");
            }
        }
    }

    /**
     * Over HTTP/2 the largest batches at once are admitted by their content-length as over
     * HTTP/1.1; a body without content-length, which HTTP/2 allows, is a 411 (counted as none,
     * 12 such batches at once ran the shipped heap out; counted at the limit, 2 ran at a time).
     */
    @Test
    @Timeout(240)
    void http2BodiesAreAdmittedByTheirLength() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"));
                ServiceProcess api = service(topology, Map.of()).start().awaitReady(Duration.ofSeconds(60))) {
            Buffer batch = Buffer.buffer(largestBatch());
            var http2 = vertx.createHttpClient(http2PriorKnowledge());
            Map<Integer, Integer> byStatus = new TreeMap<>();
            for (int round = 0; round < 3; round++) {
                List<Future<HttpClientResponse>> answers = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    answers.add(http2.request(post(api.port(), BATCH)).compose(request -> {
                        assertEquals(HttpVersion.HTTP_2, request.version());
                        return request.send(batch);
                    }));
                }
                for (Future<HttpClientResponse> answer : answers) {
                    byStatus.merge(await(answer).statusCode(), 1, Integer::sum);
                }
            }
            System.out.println("12 HTTP/2 batches at once, 3 rounds: " + byStatus + ", peak RSS " + api.peakRssKb() + " kB");
            assertAlive(api);
            int accepted = byStatus.getOrDefault(202, 0);
            assertEquals(36, accepted + byStatus.getOrDefault(503, 0), "every answer a 202 or a 503: " + byStatus);
            assertTrue(accepted >= 3 && byStatus.getOrDefault(503, 0) > 0, "the budget lets 2 at a time through: " + byStatus);
            try (RespClient redis = topology.currentMaster().client()) {
                assertEquals((long) accepted * JOBS_PER_BATCH, redis.callLong("XLEN", "streamq:{slow}:ready"));
            }
            HttpClientResponse undeclared = await(http2.request(post(api.port(), "/queues/slow/jobs"))
                    .compose(request -> request.setChunked(true).send("{\"type\":\"noop\"}"))); // chunked: no content-length on HTTP/2
            assertEquals(411, undeclared.statusCode());
            assertEquals("application/problem+json", undeclared.getHeader("Content-Type"));
        } finally {
            await(vertx.close());
        }
    }

    /**
     * On HTTP/2 a late body gets its 408 on its own stream: the connection, and the requests
     * multiplexed on it, go on (closing it, as on HTTP/1.1, killed them all). An HTTP/1.1 chunked
     * body, which declares no size to admit it by, is a 411.
     */
    @Test
    @Timeout(120)
    void aLateHttp2BodyEndsItsStreamOnlyAndChunkedIs411() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"));
                ServiceProcess api = service(topology, Map.of("STREAMQ_API_BODY_TIMEOUT", "2s")).start()
                        .awaitReady(Duration.ofSeconds(60))) {
            var http2 = vertx.createHttpClient(http2PriorKnowledge().setHttp2MaxPoolSize(1));
            HttpClientRequest late = await(http2.request(post(api.port(), "/queues/slow/jobs")));
            HttpConnection connection = late.connection();
            late.putHeader("Content-Length", "100").write("{\"type\":\"noop\","); // declares 100 bytes, sends 15
            HttpClientResponse timedOut = await(late.response());
            assertEquals(408, timedOut.statusCode());
            assertEquals("application/problem+json", timedOut.getHeader("Content-Type"));
            HttpClientRequest next = await(http2.request(post(api.port(), "/queues/slow/jobs")));
            assertTrue(next.connection() == connection, "the next request goes on the same connection");
            HttpClientResponse accepted = await(next.send("{\"type\":\"noop\"}"));
            assertEquals(202, accepted.statusCode());

            try (Socket socket = RawHttp.connect(api.port(), 10_000)) {
                socket.getOutputStream().write(("POST /queues/slow/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\nf\r\n{\"type\":\"noop\"}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                RawHttp.Answer chunked = RawHttp.readOne(socket);
                assertEquals(411, chunked.status(), chunked.body());
                assertTrue(chunked.header("Content-Type").startsWith("application/problem+json"), chunked.headers().toString());
            }
            assertAlive(api);
            assertNoServerError(api);
        } finally {
            await(vertx.close());
        }
    }

    /** HTTP/2 over cleartext from the first byte, as the JDK client cannot (it only upgrades). */
    private static HttpClientOptions http2PriorKnowledge() {
        return new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static RequestOptions post(int port, String path) {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
                .putHeader("Content-Type", "application/json");
    }

    @Test
    @Timeout(120)
    void tricklingSendersGet408AndGiveTheirBudgetBack() throws Exception {
        try (Topology topology = Topology.start(Topology.Shape.SINGLE, dir.resolve("redis"));
                ServiceProcess api = service(topology, Map.of("STREAMQ_API_BODY_TIMEOUT", "2s")).start()
                        .awaitReady(Duration.ofSeconds(60))) {
            long share = 1_000_000;
            int holders = (int) (BUDGET / share);
            List<Socket> trickling = new ArrayList<>();
            long opened = System.nanoTime();
            try {
                for (int i = 0; i < holders; i++) {
                    trickling.add(startBody(api.port(), share, 1_000));
                }
                // Their headers are read and admitted well within this (loopback); were one still
                // unread, the next body would take its share and the assertion below fail, not pass.
                Thread.sleep(500);
                // the budget is held by bodies that do not come: one more body is refused at once, unread
                try (Socket more = startBody(api.port(), share, 0)) {
                    long asked = System.nanoTime();
                    RawHttp.Answer busy = RawHttp.readOne(more);
                    assertEquals(503, busy.status(), busy.body());
                    assertEquals("1", busy.header("Retry-After"));
                    assertTrue(System.nanoTime() - asked < 1_000_000_000L, "refused at once, before the body timeout");
                    // it sends no more of its body: the deadline holds for it too, past its answer
                    assertEquals(-1, more.getInputStream().read(), "closed at the body timeout");
                }
                // one sender gives up half way: its share must come back too, without a deadline
                trickling.remove(0).close();
                for (Socket socket : trickling) {
                    RawHttp.Answer late = RawHttp.read(socket);
                    assertEquals(408, late.status(), late.body());
                    assertTrue(late.header("Content-Type").startsWith("application/problem+json"), late.headers().toString());
                }
                // not cut early: the budget was still theirs when "more" was refused, 0.5 s in
                long tookMs = (System.nanoTime() - opened) / 1_000_000;
                assertTrue(tookMs < 10_000, "408s at the 2 s body timeout, not the 60 s idle timeout: all in after " + tookMs + " ms");
            } finally {
                for (Socket socket : trickling) {
                    socket.close();
                }
            }
            // Every share is back, to the byte: two holders of the budget less the largest body
            // (each under max-body-size) and that body are all admitted, in any order, only if
            // nothing leaked.
            byte[] largest = largestBatch();
            long rest = BUDGET - largest.length;
            try (Socket first = startBody(api.port(), rest / 2, 0); Socket second = startBody(api.port(), rest - rest / 2, 0)) {
                assertEquals(202, post(api.port(), BATCH, largest, 0).status(), "the largest body beside the holders");
                for (Socket holder : List.of(first, second)) {
                    holder.setSoTimeout(300);
                    assertThrows(SocketTimeoutException.class, () -> holder.getInputStream().read(), "a holder was admitted, not refused");
                }
            }
            // and a body sent in two parts within the deadline passes
            assertEquals(202, post(api.port(), "/queues/slow/jobs", "{\"type\":\"noop\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8), 500).status());
            assertAlive(api);
            assertNoServerError(api);
        }
    }

    private ServiceProcess.Builder service(Topology topology, Map<String, String> env) {
        ServiceProcess.Builder service = ServiceProcess.builder(ServiceProcess.defaultJar()).name("api").role("api")
                .topology(topology).workDir(dir).env(env);
        return JvmOptions.apply(service, JvmOptions.shipped());
    }

    /** Just under max-body-size: 1,000 jobs of ~4 KB. */
    private static byte[] largestBatch() {
        String pad = "x".repeat(4_000);
        StringBuilder body = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < JOBS_PER_BATCH; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"noop\",\"payload\":{\"i\":").append(i).append(",\"pad\":\"").append(pad).append("\"}}");
        }
        byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        assertTrue(bytes.length <= MAX_BODY && bytes.length > MAX_BODY * 9 / 10, "near the limit: " + bytes.length);
        return bytes;
    }

    /** Headers declaring {@code declared} bytes of batch body, then only {@code sent} of them. */
    private static Socket startBody(int port, long declared, int sent) throws IOException {
        Socket socket = RawHttp.connect(port, 20_000);
        OutputStream out = socket.getOutputStream();
        out.write(head(BATCH, declared));
        out.write(" ".repeat(sent).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** The whole body, its second half {@code pauseMs} after the first. */
    private static RawHttp.Answer post(int port, String path, byte[] body, long pauseMs) throws IOException, InterruptedException {
        try (Socket socket = RawHttp.connect(port, 20_000)) {
            OutputStream out = socket.getOutputStream();
            out.write(head(path, body.length));
            out.write(body, 0, body.length / 2);
            out.flush();
            Thread.sleep(pauseMs);
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            return RawHttp.read(socket);
        }
    }

    private static byte[] head(String path, long contentLength) {
        return ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A client's slow, abandoned or undeclared body is no server error. */
    private static void assertNoServerError(ServiceProcess api) throws IOException {
        assertFalse(Files.readString(api.logFile(), StandardCharsets.UTF_8).contains("\"level\":\"ERROR\""), "ERROR lines in " + api.logFile());
    }

    private static void assertAlive(ServiceProcess api) throws IOException {
        assertTrue(api.isAlive(), "the API is alive");
        assertFalse(Files.readString(api.logFile(), StandardCharsets.UTF_8).contains("OutOfMemoryError"), "the API ran out of heap: " + api.logFile());
    }
}
